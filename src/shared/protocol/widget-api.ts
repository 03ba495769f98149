// Shapes of Matrix Widget API postMessage traffic (MSC2762 transport). Only the envelope is
// checked here; each action's `data` is checked by the host that handles the action.
import * as v from 'valibot';

const Identifier = v.pipe(v.string(), v.minLength(1), v.maxLength(255));
/** A JSON object. Not `v.record`: it accepts an array and turns it into an object. */
const JsonObject = v.custom<Record<string, unknown>>(
  (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
  'must be a JSON object',
);
const Data = JsonObject;

/** A request the widget sends to its host. */
export const FromWidgetRequest = v.object({
  api: v.literal('fromWidget'),
  widgetId: Identifier,
  requestId: Identifier,
  action: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
  data: v.optional(Data, {}),
});
export type FromWidgetRequest = v.InferOutput<typeof FromWidgetRequest>;

/** The widget's answer to a request the host sent it (toWidget direction, `response` set). */
export const ToWidgetResponse = v.object({
  api: v.literal('toWidget'),
  widgetId: Identifier,
  requestId: Identifier,
  action: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
  data: v.optional(Data, {}),
  response: Data,
});
export type ToWidgetResponse = v.InferOutput<typeof ToWidgetResponse>;

/** Anything a widget may legitimately post to its parent. */
export const WidgetOutbound = v.union([FromWidgetRequest, ToWidgetResponse]);
export type WidgetOutbound = v.InferOutput<typeof WidgetOutbound>;

/** Everything the host posts into a widget frame: its replies and its own requests. */
export const WidgetInbound = v.object({
  api: v.picklist(['fromWidget', 'toWidget']),
  widgetId: Identifier,
  requestId: Identifier,
  action: v.string(),
  data: Data,
  response: v.optional(Data),
});
export type WidgetInbound = v.InferOutput<typeof WidgetInbound>;

/** Answer data of the `capabilities` toWidget request. */
/** What one widget may ask for in all, first negotiation and MSC2974 requests together. */
export const MAX_REQUESTED_CAPABILITIES = 256;

export const CapabilitiesResponse = v.object({
  capabilities: v.pipe(v.array(v.pipe(v.string(), v.maxLength(1024))), v.maxLength(MAX_REQUESTED_CAPABILITIES)),
});

/**
 * `.` and `..` cannot travel as a URL path segment: URL parsers resolve them (even as `%2E`), so
 * `PUT /state/./m.room.power_levels` would set power levels. Refused outright.
 */
const RoomId = v.pipe(v.string(), v.startsWith('!'), v.maxLength(255));

const PathSafe = v.check((value: string) => value !== '.' && value !== '..', 'cannot be "." or ".."');

/** Data of a fromWidget `send_event` request (MSC2762). */
export const SendEventData = v.object({
  type: v.pipe(v.string(), v.minLength(1), v.maxLength(255), PathSafe),
  content: JsonObject,
  state_key: v.optional(v.pipe(v.string(), v.maxLength(255), PathSafe)),
  room_id: v.optional(v.pipe(v.string(), v.startsWith('!'), v.maxLength(255))),
  /** MSC4157: send after this many milliseconds (a delayed event, MSC4140). */
  delay: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  /** MSC4157: send when the delayed event with this ID is sent. */
  parent_delay_id: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(255))),
  /** MSC4354 / MSC4407: a sticky event, sticky for this many milliseconds (the server caps it at an hour). */
  sticky_duration_ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
});

/** Data of a fromWidget `com.beeper.read_room_account_data` request. */
export const ReadRoomAccountDataData = v.object({
  type: v.pipe(v.string(), v.minLength(1), v.maxLength(255), PathSafe),
  room_ids: v.optional(v.union([v.pipe(v.array(RoomId), v.maxLength(100)), v.literal('*')])),
});

/** Data of a fromWidget `update_delayed_event` request (MSC4157). */
export const UpdateDelayedEventData = v.object({
  delay_id: v.pipe(v.string(), v.minLength(1), v.maxLength(255), PathSafe),
  action: v.picklist(['cancel', 'restart', 'send']),
});

const Token = v.pipe(v.string(), v.minLength(1), v.maxLength(1024));

/**
 * Data of a fromWidget `read_events` request (MSC2876). Beyond the package: `from` + `dir` page
 * through a room's whole history with the `next_batch` token of the previous page.
 */
export const ReadEventsData = v.object({
  type: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
  msgtype: v.optional(v.string()),
  /** A state key, or `true` for any state key (matrix-widget-api's `readStateEvents` sends that). */
  state_key: v.optional(v.union([v.string(), v.literal(true)])),
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  room_ids: v.optional(v.union([v.pipe(v.array(RoomId), v.maxLength(100)), v.literal('*')])),
  /** matrix-widget-api: only events newer than this event ID. */
  since: v.optional(Token),
  from: v.optional(Token),
  dir: v.optional(v.picklist(['b', 'f'])),
});

/** Data of a fromWidget `read_relations` request (MSC3869). */
export const ReadRelationsData = v.object({
  event_id: v.pipe(v.string(), v.startsWith('$'), v.maxLength(255)),
  room_id: v.optional(RoomId),
  rel_type: v.optional(v.pipe(v.string(), v.maxLength(255), PathSafe)),
  event_type: v.optional(v.pipe(v.string(), v.maxLength(255), PathSafe)),
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  from: v.optional(Token),
  to: v.optional(Token),
  direction: v.optional(v.picklist(['b', 'f'])),
});

/** Data of a fromWidget `send_to_device` request (MSC3819). */
export const SendToDeviceData = v.object({
  type: v.pipe(v.string(), v.minLength(1), v.maxLength(255), PathSafe),
  encrypted: v.boolean(),
  messages: v.record(v.pipe(v.string(), v.startsWith('@')), v.record(v.string(), JsonObject)),
});

const RtcMember = v.object({
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
  claimed_device_id: v.optional(v.pipe(v.string(), v.maxLength(255))),
});

/** Data of a fromWidget `rtc_livekit_get_token` request (MSC4533, the body of MSC4195's endpoint). */
export const RtcLivekitGetTokenData = v.object({
  server_name: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(255))),
  url: v.pipe(v.string(), v.minLength(1), v.maxLength(2048)),
  room_id: RoomId,
  slot_id: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
  member: RtcMember,
});

/** Data of a fromWidget `rtc_livekit_delegate_delayed_leave` request (MSC4533 / MSC4195). */
export const RtcLivekitDelegateDelayedLeaveData = v.object({
  url: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(2048))),
  room_id: RoomId,
  slot_id: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
  member: RtcMember,
  delay_id: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
});

/** Data of a fromWidget `user_directory_search` request (MSC3973). */
export const UserDirectorySearchData = v.object({
  search_term: v.pipe(v.string(), v.maxLength(255)),
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
});
