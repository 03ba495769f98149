// Values the background answers UI requests with. Never contains a token or other secret.
import * as v from 'valibot';

export const SessionStatus = v.object({
  session: v.nullable(
    v.object({ userId: v.string(), deviceId: v.string(), homeserverUrl: v.string() }),
  ),
  syncState: v.string(),
});
export type SessionStatus = v.InferOutput<typeof SessionStatus>;

export const RoomChoice = v.object({ roomId: v.string(), name: v.string() });
export type RoomChoice = v.InferOutput<typeof RoomChoice>;

export const ApprovalView = v.object({
  approvalId: v.string(),
  account: v.string(),
  siteOrigin: v.string(),
  widgetOrigin: v.string(),
  widgetUrl: v.string(),
  widgetId: v.string(),
  capabilities: v.array(v.string()),
  roomHint: v.nullable(v.string()),
  rooms: v.array(RoomChoice),
});
export type ApprovalView = v.InferOutput<typeof ApprovalView>;

export const GrantView = v.object({
  account: v.string(),
  siteOrigin: v.string(),
  widgetUrl: v.string(),
  widgetId: v.string(),
  roomId: v.string(),
  granted: v.array(v.string()),
  denied: v.array(v.string()),
  decidedAt: v.number(),
});
export type GrantView = v.InferOutput<typeof GrantView>;

/** What each UI request kind answers with, so callers get typed replies. */
export type UiReplies = {
  getStatus: SessionStatus;
  login: SessionStatus;
  logout: SessionStatus;
  getApproval: ApprovalView;
  decideApproval: { accepted: true };
  listGrants: GrantView[];
};
