// Answers the popup and the approval window. Accepts requests only from this extension's own
// pages; a content script (or another extension) gets `forbiddenSender`.
import browser, { type Runtime } from 'webextension-polyfill';
import { MatrixError } from 'matrix-js-sdk';
import type { UiReplies } from '../shared/protocol/background-to-ui';
import { fail, ok, parseMessage, type Reply } from '../shared/protocol/errors';
import { UiToBackground, type UiKind, type UiRequest } from '../shared/protocol/ui-to-background';
import { createLogger } from '../shared/log';
import { UnknownApproval } from './approvals/approval-queue';
import { NotLoggedIn } from './session/matrix-session';
import type { Services } from './services';

const log = createLogger('bg:ui');

type Handlers = { [K in UiKind]: (request: UiRequest<K>, services: Services) => Promise<UiReplies[K]> };

const handlers: Handlers = {
  getStatus: (_request, { session }) => session.status(),
  login: async (request, { session }) => {
    await session.login(request.homeserverUrl, request.username, request.password);
    return session.status();
  },
  logout: async (_request, { session, grants }) => {
    await session.logout();
    await grants.clear();
    return session.status();
  },
  getApproval: async (request, { approvals, session }) => {
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
      rooms: await session.joinedRooms(),
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
  listGrants: async (_request, { session, grants }) => {
    const userId = await session.userId();
    return userId ? grants.list(userId) : [];
  },
};

export function isExtensionPage(sender: Runtime.MessageSender): boolean {
  return sender.id === browser.runtime.id && (sender.url ?? '').startsWith(browser.runtime.getURL(''));
}

function toReplyError(error: unknown): Reply<never> {
  if (error instanceof NotLoggedIn) return fail('notLoggedIn', error.message);
  if (error instanceof UnknownApproval) return fail('unknownApproval', error.message);
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
