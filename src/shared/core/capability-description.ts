// Describes capabilities in words a user can judge, as message keys of `_locales/en/messages.json`
// with their substitutions (the UI renders them through the browser's i18n). Pure.
import { OPENID_CAPABILITY, parseCapability, type Capability } from './capability';
import { factOfConsent } from './widget-template';

export type Risk = 'timeline' | 'send' | 'state' | 'toDevice' | 'identity' | 'read' | 'other' | 'none';

/** Risk groups in the order the approval window lists them: what acts for the user (and where) first. */
export const RISK_ORDER: readonly Risk[] = ['timeline', 'send', 'state', 'toDevice', 'identity', 'read', 'other', 'none'];

/** A message key and its substitutions; a substitution may itself be a message. */
export type Message = { key: string; substitutions: (string | Message)[] };

export type CapabilityDescription = { raw: string; risk: Risk; message: Message };

const message = (key: string, ...substitutions: (string | Message)[]): Message => ({ key, substitutions });

function describeParsed(capability: Capability, boundRoomId: string | undefined): { risk: Risk; message: Message } {
  switch (capability.kind) {
    case 'timeline':
      // By MSC2762 a timeline capability carries every other capability into that room: say so.
      if (capability.roomId === boundRoomId) return { risk: 'none', message: message('capTimelineThisRoom') };
      return capability.roomId === '*'
        ? { risk: 'timeline', message: message('capTimelineAll') }
        : { risk: 'timeline', message: message('capTimelineRoom', capability.roomId) };
    case 'roomAccountData':
      return capability.direction === 'receive'
        ? { risk: 'read', message: message('capReceiveRoomAccountData', capability.eventType) }
        : { risk: 'state', message: message('capSendRoomAccountData', capability.eventType) };
    case 'toDevice':
      return capability.direction === 'send'
        ? { risk: 'toDevice', message: message('capSendToDevice', capability.eventType) }
        : { risk: 'toDevice', message: message('capReceiveToDevice', capability.eventType) };
    case 'other':
      return describeOther(capability.raw);
    case 'event': {
      const { direction, isState, eventType, refinement } = capability;
      if (isState) {
        const key = refinement === undefined ? message('capAnyStateKey') : message('capStateKey', refinement);
        return direction === 'send'
          ? { risk: 'state', message: message('capSendState', eventType, key) }
          : { risk: 'read', message: message('capReceiveState', eventType, key) };
      }
      if (eventType === 'm.room.message') {
        if (direction === 'send') {
          return { risk: 'send', message: refinement === undefined ? message('capSendMessages') : message('capSendMessagesOfType', refinement) };
        }
        return { risk: 'read', message: refinement === undefined ? message('capReceiveMessages') : message('capReceiveMessagesOfType', refinement) };
      }
      if (direction === 'send' && eventType === 'm.room.redaction') return { risk: 'send', message: message('capRedact') };
      return direction === 'send'
        ? { risk: 'send', message: message('capSendEvents', eventType) }
        : { risk: 'read', message: message('capReceiveEvents', eventType) };
    }
  }
}

/** Capabilities named by a fixed string (matrix-widget-api's MatrixCapabilities). */
const KNOWN_OTHER: Readonly<Record<string, string>> = {
  'org.matrix.msc3973.user_directory_search': 'capUserDirectorySearch',
  'org.matrix.msc4039.upload_file': 'capUploadFile',
  'org.matrix.msc4039.download_file': 'capDownloadFile',
  'org.matrix.msc4157.send.delayed_event': 'capSendDelayed',
  'town.robin.msc3846.turn_servers': 'capTurnServers',
  'org.matrix.msc4157.update_delayed_event': 'capUpdateDelayed',
  'org.matrix.msc4407.send.sticky_event': 'capSendSticky',
  'org.matrix.msc4407.receive.sticky_event': 'capReceiveSticky',
  'org.matrix.msc4515.rtc_transports': 'capRtcTransports',
  'org.matrix.msc4533.rtc_livekit_get_token': 'capLivekitToken',
  'org.matrix.msc4533.rtc_livekit_delegate_delayed_leave': 'capLivekitDelegateLeave',
};

/** Capabilities this host knows that allow nothing on a web page (no client UI around the widget). */
const INERT_OTHER: Readonly<Record<string, string>> = {
  'm.always_on_screen': 'capAlwaysOnScreen',
  'm.capability.screenshot': 'capScreenshot',
  'm.sticker': 'capStickerPicker',
  'org.matrix.msc2931.navigate': 'capNavigate',
  'io.element.requires_client': 'capRequiresClient',
};

function describeOther(raw: string): { risk: Risk; message: Message } {
  const inert = INERT_OTHER[raw];
  if (inert) return { risk: 'none', message: message(inert) };
  const key = KNOWN_OTHER[raw];
  return key ? { risk: 'other', message: message(key) } : { risk: 'other', message: message('capOther', raw) };
}

/** Describes a capability string for the user; `boundRoomId` is the room the user picks. */
export function describeCapability(raw: string, boundRoomId?: string): CapabilityDescription {
  if (raw === OPENID_CAPABILITY) return { raw, risk: 'identity', message: message('capOpenId') };
  // What a templated widget's address was allowed to carry (see widget-template.ts).
  const fact = factOfConsent(raw);
  if (fact !== undefined) return { raw, risk: 'identity', message: message('capUrlFact', message(`factName_${fact}`)) };
  return { raw, ...describeParsed(parseCapability(raw), boundRoomId) };
}
