// Values the background answers UI requests with. Never contains a token or other secret.
import * as v from 'valibot';
import { DISCOVERY_PROBLEMS } from '../core/homeserver-discovery';

export const SessionStatus = v.object({
  session: v.nullable(
    v.object({ userId: v.string(), deviceId: v.string(), homeserverUrl: v.string() }),
  ),
  syncState: v.string(),
  /** End-to-end encryption of this device (null when logged out). */
  encryption: v.nullable(
    v.object({
      /** Whether encrypted rooms work at all (the crypto module loaded and opened its store). */
      isReady: v.boolean(),
      /** Whether the user's own cross-signing identity vouches for this device. */
      isDeviceVerified: v.boolean(),
      /**
       * Whether the account has a cross-signing identity on the server at all; null while the
       * homeserver has not answered that (it is unreachable).
       */
      hasCrossSigning: v.nullable(v.boolean()),
      /** Whether room keys are being backed up to the server. */
      hasKeyBackup: v.boolean(),
    }),
  ),
});
export type SessionStatus = v.InferOutput<typeof SessionStatus>;

/** Every logged-in account; the active one is what the popup shows and new widgets act for. */
export const AccountView = v.object({ userId: v.string(), homeserverUrl: v.string(), isActive: v.boolean() });
export type AccountView = v.InferOutput<typeof AccountView>;

/**
 * An account whose session the homeserver ended (its device removed or logged out, its refresh token
 * refused): the extension ended it locally, and the popup says so until the user logs in again as
 * that account or dismisses the notice.
 */
export const EndedSessionView = v.object({ userId: v.string(), homeserverUrl: v.string() });
export type EndedSessionView = v.InferOutput<typeof EndedSessionView>;

export const BridgeStatus = v.object({
  ...SessionStatus.entries,
  accounts: v.array(AccountView),
  endedSessions: v.array(EndedSessionView),
  /** Approval requests waiting for the user (getStatus only): some wait for their tab to be in front. */
  pendingApprovals: v.optional(v.number()),
  /** The homeserver of the last login (getStatus, logout, dismissEndedSession), for the login form; null before any. */
  lastHomeserverUrl: v.optional(v.nullable(v.string())),
});
export type BridgeStatus = v.InferOutput<typeof BridgeStatus>;

/**
 * Posted on an extension page's UI port when the status changed by itself (the active account's
 * sync state: the homeserver became unreachable, or came back). Carries nothing: the page asks.
 */
export const StatusChanged = v.object({ kind: v.literal('statusChanged') });
export type StatusChanged = v.InferOutput<typeof StatusChanged>;

/** Where verifying this device stands; never holds a key. */
export const VerificationView = v.object({
  phase: v.picklist(['none', 'requested', 'ready', 'started', 'cancelled', 'done']),
  initiatedByMe: v.boolean(),
  otherDeviceId: v.nullable(v.string()),
  /** The seven emoji to compare with the other device, once both sides have them. */
  emoji: v.nullable(v.array(v.object({ symbol: v.string(), name: v.string() }))),
  failure: v.nullable(v.string()),
  /** Room keys restored from the key backup after unlocking with the recovery key. */
  backupRestore: v.nullable(v.object({ done: v.number(), total: v.number(), isFinished: v.boolean() })),
});
export type VerificationView = v.InferOutput<typeof VerificationView>;

/** Spec (client login via SSO): an IdP id is 1–255 unreserved URI characters (RFC 3986 §2.3). */
export const IdpId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9._~-]{1,255}$/, 'must be an identity provider id'));

export const IdentityProvider = v.object({ id: IdpId, name: v.pipe(v.string(), v.minLength(1), v.maxLength(255)) });
export type IdentityProvider = v.InferOutput<typeof IdentityProvider>;

/** How a homeserver lets users log in, as far as the extension supports it. */
export const LoginMethods = v.object({
  hasPasswordLogin: v.boolean(),
  /** Its `m.login.sso` identity providers; null without SSO, empty for SSO without a choice. */
  ssoProviders: v.nullable(v.array(IdentityProvider)),
});
export type LoginMethods = v.InferOutput<typeof LoginMethods>;

/** The login methods, and whether the homeserver delegates sign-in to an OpenID service (MSC3861). */
export const LoginOptions = v.object({
  ...LoginMethods.entries,
  /**
   * The authorization server the homeserver delegates to (MSC2965), or null. When set, it is the only
   * way offered: `hasPasswordLogin` is false and `ssoProviders` null.
   */
  oidcIssuer: v.nullable(v.pipe(v.string(), v.url())),
});
export type LoginOptions = v.InferOutput<typeof LoginOptions>;

export const RoomChoice = v.object({ roomId: v.string(), name: v.string() });
export type RoomChoice = v.InferOutput<typeof RoomChoice>;

/** One fact a widget's filled URL tells (`shared/core/widget-template.ts`), with its value. */
export const TemplateFactValue = v.object({
  fact: v.picklist(['userId', 'displayName', 'avatarUrl', 'roomId', 'deviceId', 'homeserver', 'theme', 'language']),
  value: v.string(),
});

/**
 * Anti-clickjacking: an approval's buttons arm this long after its window showed it (and while the
 * window has focus); the background refuses a granting decision that comes sooner.
 */
export const APPROVAL_ARM_DELAY_MS = 800;

export const ApprovalView = v.object({
  approvalId: v.string(),
  account: v.string(),
  siteOrigin: v.string(),
  widgetOrigin: v.string(),
  widgetUrl: v.string(),
  widgetId: v.string(),
  capabilities: v.array(v.string()),
  roomHint: v.nullable(v.string()),
  isRoomFixed: v.boolean(),
  purpose: v.picklist(['capabilities', 'identity', 'template']),
  rooms: v.array(RoomChoice),
  /** Requests of this site waiting, this one included: above one, the window offers "Deny all". */
  sitePendingCount: v.number(),
  /** For `template`: the widget's name as the page gave it, and what its filled URL will tell. */
  template: v.optional(
    v.object({
      widgetName: v.nullable(v.string()),
      facts: v.array(TemplateFactValue),
    }),
  ),
});
export type ApprovalView = v.InferOutput<typeof ApprovalView>;

export const GrantView = v.object({
  account: v.string(),
  siteOrigin: v.string(),
  widgetUrl: v.string(),
  widgetId: v.string(),
  roomId: v.string(),
  /** The room's display name when the user is in it, else the room ID. */
  roomName: v.string(),
  granted: v.array(v.string()),
  denied: v.array(v.string()),
  decidedAt: v.number(),
  lastUsedAt: v.nullable(v.number()),
  /** Set when the user did not ask to remember: the grant lasts for that page load only. */
  hostInstance: v.nullable(v.string()),
});
export type GrantView = v.InferOutput<typeof GrantView>;

export const SiteView = v.object({ siteOrigin: v.string(), isEnabled: v.boolean(), grantCount: v.number() });
export type SiteView = v.InferOutput<typeof SiteView>;

export const AuditEntry = v.object({
  at: v.number(),
  /** What happened; `detail` names event types or capabilities, never event content. */
  action: v.picklist(['asked', 'granted', 'denied', 'sent', 'read', 'refused', 'revoked']),
  roomId: v.nullable(v.string()),
  detail: v.string(),
});
export type AuditEntry = v.InferOutput<typeof AuditEntry>;

export const TabWidgetView = v.object({
  siteOrigin: v.string(),
  widgetUrl: v.string(),
  widgetId: v.nullable(v.string()),
  roomId: v.nullable(v.string()),
  state: v.picklist(['waiting', 'negotiating', 'ready']),
  approved: v.array(v.string()),
});
export type TabWidgetView = v.InferOutput<typeof TabWidgetView>;

/** The active account as people see it in Matrix clients; null: no display name set (or no answer). */
export const ProfileView = v.object({ userId: v.string(), displayName: v.nullable(v.string()) });
export type ProfileView = v.InferOutput<typeof ProfileView>;

/**
 * Where discovery led: the homeserver's base URL, or why none was found (`at`: the server name,
 * `.well-known` or base URL concerned, for the message).
 */
export const DiscoveryView = v.variant('found', [
  v.object({ found: v.literal(true), homeserverUrl: v.string() }),
  v.object({ found: v.literal(false), problem: v.picklist(DISCOVERY_PROBLEMS), at: v.string() }),
]);
export type DiscoveryView = v.InferOutput<typeof DiscoveryView>;

/** The schema of each UI request's reply: the pages parse what the background answers with these. */
export const UI_REPLIES = {
  getStatus: BridgeStatus,
  login: BridgeStatus,
  discoverHomeserver: DiscoveryView,
  getLoginFlows: LoginOptions,
  loginSso: BridgeStatus,
  loginOidc: BridgeStatus,
  logout: BridgeStatus,
  getApproval: ApprovalView,
  decideApproval: v.object({ accepted: v.literal(true) }),
  denyAllFromSite: v.object({ accepted: v.literal(true) }),
  reviewApprovals: v.object({ pending: v.number() }),
  listGrants: v.array(GrantView),
  revokeGrant: v.object({ revoked: v.literal(true) }),
  listSites: v.array(SiteView),
  setSiteEnabled: v.array(SiteView),
  removeSite: v.array(SiteView),
  getAudit: v.array(AuditEntry),
  listTabWidgets: v.array(TabWidgetView),
  switchAccount: BridgeStatus,
  dismissEndedSession: BridgeStatus,
  getProfile: ProfileView,
  getVerification: VerificationView,
  verifyWithRecoveryKey: BridgeStatus,
  /** The new recovery key: shown to the user once, in the popup, and kept nowhere. */
  setUpEncryption: v.object({ recoveryKey: v.string(), status: BridgeStatus }),
  requestVerification: VerificationView,
  acceptVerification: VerificationView,
  confirmEmoji: VerificationView,
  cancelVerification: VerificationView,
} as const;

export type UiReplies = { [K in keyof typeof UI_REPLIES]: v.InferOutput<(typeof UI_REPLIES)[K]> };
