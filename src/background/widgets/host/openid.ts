// get_openid (MSC1960): an OpenID token proves the user's Matrix ID to the widget's own server. It
// is handed out only after the user consented in the approval window; the consent is remembered like
// a grant (per account, site, widget URL and widget id, not per room). The token is made for widgets;
// the access token never leaves the background.
import type { MatrixClient } from 'matrix-js-sdk';
import type { WidgetIdentity } from '../../../shared/core/widget-identity';
import { OPENID_CAPABILITY } from '../../../shared/core/capability';
import type { AuditLog } from '../../grants/audit-log';
import type { GrantStore } from '../../grants/grant-store';
import type { AskUser } from './capability-negotiation';

/** The grant-store "room" under which OpenID consent is kept: not a room ID, so it never collides. */
export const OPENID_GRANT_ROOM = '@openid';

export type OpenIdAnswer = { state: 'allowed'; access_token: string; token_type: string; matrix_server_name: string; expires_in: number } | { state: 'blocked' };

async function credentials(client: MatrixClient): Promise<OpenIdAnswer> {
  const token = await client.getOpenIdToken();
  return { state: 'allowed', access_token: token.access_token, token_type: token.token_type, matrix_server_name: token.matrix_server_name, expires_in: token.expires_in };
}

/** The remembered answer, or undefined when the user has to be asked. */
export async function rememberedOpenId(identity: WidgetIdentity, grants: GrantStore, client: () => Promise<MatrixClient>): Promise<OpenIdAnswer | undefined> {
  const stored = await grants.decisionFor(identity, OPENID_GRANT_ROOM);
  if (stored?.granted.includes(OPENID_CAPABILITY)) return credentials(await client());
  if (stored?.denied.includes(OPENID_CAPABILITY)) return { state: 'blocked' };
  return undefined;
}

/** Asks the user (the approval window, identity only) and returns their answer as the widget sees it. */
export async function askForOpenId(
  input: { identity: WidgetIdentity; widgetOrigin: string; now: () => number },
  grants: GrantStore,
  approvals: AskUser,
  audit: AuditLog,
  client: () => Promise<MatrixClient>,
): Promise<OpenIdAnswer> {
  const { identity, now } = input;
  void audit.record(identity, { at: now(), action: 'asked', roomId: null, detail: OPENID_CAPABILITY });
  const answer = await approvals.request({ identity, widgetOrigin: input.widgetOrigin, capabilities: [OPENID_CAPABILITY], roomHint: null, isRoomFixed: true, purpose: 'identity' });
  const isAllowed = answer.approved.includes(OPENID_CAPABILITY);
  void audit.record(identity, { at: now(), action: isAllowed ? 'granted' : 'denied', roomId: null, detail: OPENID_CAPABILITY });
  if (answer.remember) {
    await grants.recordDecision(identity, OPENID_GRANT_ROOM, { hostInstance: null }, isAllowed ? [OPENID_CAPABILITY] : [], isAllowed ? [] : [OPENID_CAPABILITY], now());
  }
  return isAllowed ? credentials(await client()) : { state: 'blocked' };
}
