// Requests the popup and the approval window send the background with runtime.sendMessage.
// The background accepts them only from extension pages (checked on the sender, not here).
import * as v from 'valibot';

const HomeserverUrl = v.pipe(v.string(), v.url(), v.regex(/^https?:\/\//, 'must be an http(s) URL'));

export const GetStatus = v.object({ kind: v.literal('getStatus') });

export const Login = v.object({
  kind: v.literal('login'),
  homeserverUrl: HomeserverUrl,
  username: v.pipe(v.string(), v.trim(), v.minLength(1, 'user name is empty'), v.maxLength(255)),
  password: v.pipe(v.string(), v.minLength(1, 'password is empty'), v.maxLength(1024)),
});

export const Logout = v.object({ kind: v.literal('logout') });

export const GetApproval = v.object({
  kind: v.literal('getApproval'),
  approvalId: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
});

export const DecideApproval = v.object({
  kind: v.literal('decideApproval'),
  approvalId: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  /** The room the widget is bound to; null when the user denied everything. */
  roomId: v.nullable(v.pipe(v.string(), v.startsWith('!'), v.maxLength(255))),
  approved: v.array(v.pipe(v.string(), v.maxLength(1024))),
  remember: v.boolean(),
});

export const ListGrants = v.object({ kind: v.literal('listGrants') });

export const UiToBackground = v.variant('kind', [
  GetStatus,
  Login,
  Logout,
  GetApproval,
  DecideApproval,
  ListGrants,
]);
export type UiToBackground = v.InferOutput<typeof UiToBackground>;
export type UiKind = UiToBackground['kind'];
export type UiRequest<K extends UiKind> = Extract<UiToBackground, { kind: K }>;
