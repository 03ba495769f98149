// Requests the popup and the approval window send the background with runtime.sendMessage.
// The background accepts them only from extension pages (checked on the sender, not here).
import * as v from 'valibot';
import { parseLoginTarget } from '../core/homeserver-discovery';
import { IdpId } from './background-to-ui';

const HomeserverUrl = v.pipe(v.string(), v.url(), v.regex(/^https?:\/\//, 'must be an http(s) URL'));

export const GetStatus = v.object({ kind: v.literal('getStatus') });

export const Login = v.object({
  kind: v.literal('login'),
  homeserverUrl: HomeserverUrl,
  username: v.pipe(v.string(), v.trim(), v.minLength(1, 'user name is empty'), v.maxLength(255)),
  password: v.pipe(v.string(), v.minLength(1, 'password is empty'), v.maxLength(1024)),
});

/**
 * Find the homeserver the login form's field names: a Matrix ID, a server name or a homeserver URL
 * (through `.well-known/matrix/client`, as Matrix clients do).
 */
export const DiscoverHomeserver = v.object({
  kind: v.literal('discoverHomeserver'),
  server: v.pipe(
    v.string(),
    v.maxLength(2048),
    v.check((text) => parseLoginTarget(text) !== undefined, 'must be a Matrix ID, a server name or an http(s) URL'),
  ),
});

/** Which login methods the homeserver offers (the popup shows SSO buttons for them). */
export const GetLoginFlows = v.object({ kind: v.literal('getLoginFlows'), homeserverUrl: HomeserverUrl });

/** Log in through the homeserver's SSO in a browser window; the login token stays in the background. */
export const LoginSso = v.object({
  kind: v.literal('loginSso'),
  homeserverUrl: HomeserverUrl,
  /** One of the homeserver's identity providers; null when it offers SSO without a choice. */
  idpId: v.nullable(IdpId),
});

/**
 * Log in through the OpenID service the homeserver delegates to (MSC3861). The background finds that
 * service itself; the tokens stay in the background.
 */
export const LoginOidc = v.object({ kind: v.literal('loginOidc'), homeserverUrl: HomeserverUrl });

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

/**
 * "Deny all" in the approval window: this request and every other one of its site, denied for now;
 * with `remember`, the site is switched off (it asks no more until the user turns it back on).
 */
export const DenyAllFromSite = v.object({
  kind: v.literal('denyAllFromSite'),
  approvalId: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  remember: v.boolean(),
});

/** The popup's "Review": the next waiting request opens even if its tab is in the background. */
export const ReviewApprovals = v.object({ kind: v.literal('reviewApprovals') });

export const ListGrants = v.object({ kind: v.literal('listGrants') });

const SiteOrigin = v.pipe(v.string(), v.url(), v.maxLength(2048));

/** Names one widget of the logged-in account; the account itself comes from the session. */
const WidgetRef = v.object({
  /** The widget's site: an origin, or `top › embedder` for a widget nested in another origin's frame. */
  siteOrigin: v.pipe(v.string(), v.minLength(1), v.maxLength(4200)),
  widgetUrl: v.pipe(v.string(), v.url(), v.maxLength(8192)),
  widgetId: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
});

export const RevokeGrant = v.object({
  kind: v.literal('revokeGrant'),
  widget: WidgetRef,
  roomId: v.pipe(v.string(), v.maxLength(255)),
  hostInstance: v.nullable(v.pipe(v.string(), v.maxLength(255))),
  /** The capabilities to take back; null takes back everything granted for that room. */
  capabilities: v.nullable(v.array(v.pipe(v.string(), v.maxLength(1024)))),
});

export const ListSites = v.object({ kind: v.literal('listSites') });

export const SetSiteEnabled = v.object({ kind: v.literal('setSiteEnabled'), siteOrigin: SiteOrigin, isEnabled: v.boolean() });

export const RemoveSite = v.object({ kind: v.literal('removeSite'), siteOrigin: SiteOrigin });

export const GetAudit = v.object({ kind: v.literal('getAudit'), widget: WidgetRef });

export const ListTabWidgets = v.object({ kind: v.literal('listTabWidgets'), tabId: v.pipe(v.number(), v.integer()) });

export const SwitchAccount = v.object({
  kind: v.literal('switchAccount'),
  userId: v.pipe(v.string(), v.startsWith('@'), v.maxLength(255)),
});

/** The user read the notice that the homeserver ended this account's session. */
export const DismissEndedSession = v.object({
  kind: v.literal('dismissEndedSession'),
  userId: v.pipe(v.string(), v.startsWith('@'), v.maxLength(255)),
});

/** The active account's display name, for the popup's header. */
export const GetProfile = v.object({ kind: v.literal('getProfile') });

export const GetVerification = v.object({ kind: v.literal('getVerification') });

export const VerifyWithRecoveryKey = v.object({
  kind: v.literal('verifyWithRecoveryKey'),
  recoveryKey: v.pipe(v.string(), v.trim(), v.minLength(1, 'the recovery key is empty'), v.maxLength(200)),
});

/** Sets cross-signing, secret storage and key backup up; the password confirms the key upload. */
export const SetUpEncryption = v.object({
  kind: v.literal('setUpEncryption'),
  password: v.pipe(v.string(), v.minLength(1, 'password is empty'), v.maxLength(1024)),
});

export const RequestVerification = v.object({ kind: v.literal('requestVerification') });
export const AcceptVerification = v.object({ kind: v.literal('acceptVerification') });
export const ConfirmEmoji = v.object({ kind: v.literal('confirmEmoji'), isMatch: v.boolean() });
export const CancelVerification = v.object({ kind: v.literal('cancelVerification') });

export const UiToBackground = v.variant('kind', [
  GetStatus,
  Login,
  DiscoverHomeserver,
  GetLoginFlows,
  LoginSso,
  LoginOidc,
  Logout,
  GetApproval,
  DecideApproval,
  DenyAllFromSite,
  ReviewApprovals,
  ListGrants,
  RevokeGrant,
  ListSites,
  SetSiteEnabled,
  RemoveSite,
  GetAudit,
  ListTabWidgets,
  SwitchAccount,
  DismissEndedSession,
  GetProfile,
  GetVerification,
  VerifyWithRecoveryKey,
  SetUpEncryption,
  RequestVerification,
  AcceptVerification,
  ConfirmEmoji,
  CancelVerification,
]);
export type UiToBackground = v.InferOutput<typeof UiToBackground>;
export type UiKind = UiToBackground['kind'];
export type UiRequest<K extends UiKind> = Extract<UiToBackground, { kind: K }>;
