// Answers the popup and the approval window. Accepts requests only from this extension's own
// pages; a content script (or another extension) gets `forbiddenSender`.
import browser, { type Runtime } from 'webextension-polyfill';
import { MatrixError } from 'matrix-js-sdk';
import type { BridgeStatus, SiteView, UiReplies } from '../shared/protocol/background-to-ui';
import { NESTED_SITE_SEPARATOR, type WidgetIdentity } from '../shared/core/widget-identity';
import { fail, ok, parseMessage, type Reply } from '../shared/protocol/errors';
import { UiToBackground, type UiKind, type UiRequest } from '../shared/protocol/ui-to-background';
import { createLogger } from '../shared/log';
import { browserWebAuthFlow } from './adapters/web-auth-flow';
import { ApprovalNotArmed, UnknownApproval } from './approvals/approval-queue';
import { VerificationRefused } from './session/crypto/device-verification';
import { NotLoggedIn } from './session/matrix-session';
import { LoginMethodsUnavailable, obtainLoginToken, SsoLoginFailed } from './session/login/sso-login';
import { OidcLoginFailed } from './session/login/oidc-authorization';
import { OidcUnavailable } from './session/login/oidc-metadata';
import { loginOptions, loginWithOidc } from './session/login/oidc-native';
import { discoverHomeserver } from './session/login/homeserver-discovery';
import { lastHomeserver, rememberHomeserver } from './session/login/last-homeserver';
import type { Services } from './services';

const log = createLogger('bg:ui');

type Handlers = { [K in UiKind]: (request: UiRequest<K>, services: Services) => Promise<UiReplies[K]> };

const handlers: Handlers = {
  getStatus: async (_request, { accounts, approvals }) => ({ ...(await statusForLogin(accounts)), pendingApprovals: approvals.pendingCount }),
  login: (request, services) =>
    logIn(services, request.homeserverUrl, () => services.accounts.login(request.homeserverUrl, request.username, request.password)),
  discoverHomeserver: (request) => discoverHomeserver(request.server),
  getLoginFlows: (request) => loginOptions(request.homeserverUrl),
  loginSso: async (request, services) => {
    // The token goes from the auth window straight into the login; the popup only learns the status.
    const loginToken = await obtainLoginToken(request.homeserverUrl, request.idpId, browserWebAuthFlow);
    return logIn(services, request.homeserverUrl, () => services.accounts.loginWithToken(request.homeserverUrl, loginToken));
  },
  loginOidc: async (request, services) => {
    // Tokens go from the token endpoint into the session store; the popup only learns the status.
    const oidc = await loginWithOidc(request.homeserverUrl, { flow: browserWebAuthFlow, clients: services.oidcClients });
    return logIn(services, request.homeserverUrl, () => services.accounts.loginWithOidc(oidc));
  },
  logout: async (_request, { accounts, grants, audit, hosts }) => {
    await hosts.closeAll('Logged out');
    const userId = await accounts.logout();
    if (userId !== undefined) {
      await grants.removeAccount(userId);
      await audit.removeAccount(userId);
    }
    // The login form may come next.
    return statusForLogin(accounts);
  },
  switchAccount: async (request, { accounts, hosts }) => {
    // Running widgets act for the account they connected under: they reconnect and ask again.
    await hosts.closeAll('Switched to another account');
    await accounts.switchTo(request.userId);
    // A frame that connected while the switch ran may have tied itself to the previous account.
    await hosts.closeOtherAccounts(await accounts.userId(), 'Switched to another account');
    return accounts.status();
  },
  dismissEndedSession: async (request, { accounts }) => {
    await accounts.dismissEndedSession(request.userId);
    return statusForLogin(accounts);
  },
  getApproval: async (request, { approvals, accounts }) => {
    const pending = await approvals.pending(request.approvalId);
    return {
      approvalId: request.approvalId,
      account: pending.identity.account,
      siteOrigin: pending.identity.siteOrigin,
      widgetOrigin: pending.widgetOrigin,
      widgetUrl: pending.identity.widgetUrl,
      widgetId: pending.identity.widgetId,
      capabilities: pending.capabilities,
      roomHint: pending.roomHint,
      isRoomFixed: pending.isRoomFixed,
      purpose: pending.purpose,
      rooms: pending.purpose === 'identity' ? [] : await accounts.joinedRooms(),
      sitePendingCount: approvals.pendingFromSameSite(request.approvalId),
      ...(pending.template ? { template: { widgetName: pending.template.widgetName, facts: pending.template.facts } } : {}),
    };
  },
  decideApproval: async (request, { approvals }) => {
    await approvals.decide(request.approvalId, {
      roomId: request.roomId,
      approved: request.approved,
      remember: request.remember,
    });
    return { accepted: true };
  },
  denyAllFromSite: async (request, services) => {
    const siteOrigin = services.approvals.denyAllFromSite(request.approvalId);
    if (request.remember) {
      // "Don't ask again for this site": the site switch the popup shows, turned off.
      await services.sites.setEnabled(siteOrigin, false);
      await services.hosts.closeSite(siteOrigin);
    }
    return { accepted: true };
  },
  reviewApprovals: (_request, { approvals }) => {
    approvals.review();
    return Promise.resolve({ pending: approvals.pendingCount });
  },
  listGrants: async (_request, { accounts, grants }) => {
    const userId = await accounts.userId();
    if (!userId) return [];
    // Names are a nicety: with the homeserver down, grants still list (by room ID). Only the
    // granted rooms are named; they are synced, so this seldom asks the server.
    const roomIds = [...new Set((await grants.list(userId)).map((grant) => grant.roomId).filter((roomId) => roomId.startsWith('!')))];
    const names = await accounts.roomNames(roomIds).catch(() => new Map<string, string>());
    return grants.list(userId, names);
  },
  revokeGrant: async (request, services) => {
    const identity = await widgetOf(request.widget, services);
    const scope = { hostInstance: request.hostInstance };
    const hadDecision = (await services.grants.decisionFor(identity, request.roomId, scope)) !== undefined;
    await services.grants.revoke(identity, request.roomId, scope, request.capabilities);
    // "Revoke all" drops the whole decision (everything is asked again, remembered denials too) and
    // leaves an empty one in its place, as revoking each permission would: the site (with its switch
    // and "Forget site"), the widget and its activity stay in the popup until the site is forgotten.
    if (request.capabilities === null && hadDecision) await services.grants.recordDecision(identity, request.roomId, scope, [], [], Date.now());
    void services.audit.record(identity, {
      at: Date.now(),
      action: 'revoked',
      roomId: request.roomId || null,
      detail: request.capabilities === null ? 'everything' : request.capabilities.join(' '),
    });
    // Live: running instances are told now, and their next request is checked against the store.
    await services.hosts.grantsChanged(identity, request.roomId);
    return { revoked: true };
  },
  listSites: (_request, services) => siteViews(services),
  setSiteEnabled: async (request, services) => {
    await services.sites.setEnabled(request.siteOrigin, request.isEnabled);
    if (!request.isEnabled) await services.hosts.closeSite(request.siteOrigin);
    return siteViews(services);
  },
  removeSite: async (request, services) => {
    await services.hosts.closeSite(request.siteOrigin);
    await services.grants.removeSite(request.siteOrigin);
    await services.audit.removeSite(request.siteOrigin);
    await services.sites.forget(request.siteOrigin);
    return siteViews(services);
  },
  getAudit: async (request, services) => services.audit.entries(await widgetOf(request.widget, services)),
  listTabWidgets: (request, { hosts }) => hosts.inTab(request.tabId),
  getProfile: async (_request, { accounts }) => {
    const userId = await accounts.userId();
    if (!userId) throw new NotLoggedIn();
    // One request per popup opening. Without an answer (the homeserver away) the popup shows the
    // Matrix ID's localpart: the name is a nicety, never a reason to fail.
    const client = await accounts.requireClient();
    const profile = await client.getProfileInfo(userId, 'displayname').catch((): { displayname?: string } => ({}));
    const displayName = typeof profile.displayname === 'string' ? profile.displayname.trim() : '';
    return { userId, displayName: displayName || null };
  },
  getVerification: async (_request, { accounts }) => (await accounts.verification()).view(),
  verifyWithRecoveryKey: async (request, { accounts }) => {
    await (await accounts.verification()).withRecoveryKey(await accounts.requireClient(), request.recoveryKey);
    return accounts.status();
  },
  setUpEncryption: async (request, { accounts }) => {
    const recoveryKey = await (await accounts.verification()).setUp(await accounts.requireClient(), request.password);
    return { recoveryKey, status: await accounts.status() };
  },
  requestVerification: async (_request, { accounts }) => {
    await (await accounts.verification()).requestFromOtherDevice(await accounts.requireClient());
    return (await accounts.verification()).view();
  },
  acceptVerification: async (_request, { accounts }) => {
    await (await accounts.verification()).accept();
    return (await accounts.verification()).view();
  },
  confirmEmoji: async (request, { accounts }) => {
    await (await accounts.verification()).confirmEmoji(request.isMatch);
    return (await accounts.verification()).view();
  },
  cancelVerification: async (_request, { accounts }) => {
    (await accounts.verification()).cancel();
    return (await accounts.verification()).view();
  },
};

/**
 * Any login makes its account (or a new device of the same one) the active one: widgets running for
 * the previous one must not go on under the new one, so they are closed and reconnect to ask again.
 * Its homeserver is the one the login form proposes next time.
 */
async function logIn(services: Services, homeserverUrl: string, login: () => Promise<void>): Promise<BridgeStatus> {
  const previous = await services.accounts.userId();
  await login();
  await rememberHomeserver(homeserverUrl).catch((error: unknown) => log.warn('could not remember the homeserver', String(error)));
  if (previous !== undefined) await services.hosts.closeAll('Another account became active');
  return services.accounts.status();
}

/**
 * The status with the homeserver the login form proposes (the last one used). That is a nicety:
 * unreadable storage proposes the default.
 */
async function statusForLogin(accounts: Services['accounts']): Promise<BridgeStatus> {
  return { ...(await accounts.status()), lastHomeserverUrl: await lastHomeserver().catch(() => null) };
}

async function widgetOf(widget: { siteOrigin: string; widgetUrl: string; widgetId: string }, { accounts }: Services): Promise<WidgetIdentity> {
  const account = await accounts.userId();
  if (!account) throw new NotLoggedIn();
  return { account, ...widget };
}

/** Sites with grants for the current account, plus sites switched off, alphabetically. */
async function siteViews({ accounts, grants, sites }: Services): Promise<SiteView[]> {
  const account = await accounts.userId();
  const counts = new Map<string, number>();
  for (const grant of account ? await grants.list(account) : []) {
    // The per-site switch is for the top site; nested embedders count towards it.
    const topSite = grant.siteOrigin.split(NESTED_SITE_SEPARATOR)[0] ?? grant.siteOrigin;
    counts.set(topSite, (counts.get(topSite) ?? 0) + 1);
  }
  for (const siteOrigin of await sites.disabledSites()) counts.set(siteOrigin, counts.get(siteOrigin) ?? 0);
  return Promise.all(
    [...counts.keys()].sort().map(async (siteOrigin) => ({
      siteOrigin,
      isEnabled: await sites.isEnabled(siteOrigin),
      grantCount: counts.get(siteOrigin) ?? 0,
    })),
  );
}

export function isExtensionPage(sender: Runtime.MessageSender): boolean {
  return sender.id === browser.runtime.id && (sender.url ?? '').startsWith(browser.runtime.getURL(''));
}

function toReplyError(error: unknown): Reply<never> {
  if (error instanceof NotLoggedIn) return fail('notLoggedIn', error.message);
  if (error instanceof UnknownApproval) return fail('unknownApproval', error.message);
  if (error instanceof ApprovalNotArmed) return fail('approvalNotArmed', error.message);
  if (error instanceof VerificationRefused) return fail('verificationRefused', error.message);
  if (error instanceof SsoLoginFailed) return fail('ssoFailed', error.message);
  if (error instanceof LoginMethodsUnavailable) return fail('homeserverError', error.message);
  if (error instanceof OidcLoginFailed) return fail('oidcFailed', error.message);
  if (error instanceof OidcUnavailable) return fail('homeserverError', error.message);
  if (error instanceof MatrixError) {
    const code = error.httpStatus === 403 && error.errcode === 'M_FORBIDDEN' ? 'loginFailed' : 'homeserverError';
    return fail(code, error.data.error ?? error.message);
  }
  if (error instanceof TypeError) return fail('homeserverError', 'The homeserver could not be reached');
  log.error('ui request failed', String(error));
  return fail('internal', 'Something went wrong in the extension');
}

export async function handleUiMessage(raw: unknown, sender: Runtime.MessageSender, services: Services): Promise<Reply<unknown>> {
  if (!isExtensionPage(sender)) return fail('forbiddenSender', 'Only the extension’s own pages may ask this');
  const parsed = parseMessage(UiToBackground, raw);
  if (!parsed.ok) return fail('invalidMessage', parsed.reason);
  const request = parsed.value;
  try {
    const handler = handlers[request.kind] as (request: UiToBackground, services: Services) => Promise<unknown>;
    return ok(await handler(request, services));
  } catch (error) {
    return toReplyError(error);
  }
}
