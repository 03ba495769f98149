// How extension pages (popup, approval window) ask the background. Replies are parsed with their
// schemas: a page never acts on a reply of the wrong shape (an older worker, a bug) as if it were right.
import browser from 'webextension-polyfill';
import * as v from 'valibot';
import { UI_REPLIES, type UiReplies } from '../protocol/background-to-ui';
import { ReplyError, type Reply } from '../protocol/errors';
import type { UiKind, UiRequest } from '../protocol/ui-to-background';
import { t } from './i18n';

const Failure = v.object({ ok: v.literal(false), error: ReplyError });

export async function askBackground<K extends UiKind>(request: UiRequest<K>): Promise<Reply<UiReplies[K]>> {
  let raw: unknown;
  try {
    raw = await browser.runtime.sendMessage(request);
  } catch {
    return { ok: false, error: { code: 'internal', message: t('errorNoAnswer') } };
  }
  const failure = v.safeParse(Failure, raw);
  if (failure.success) return failure.output;
  const schema = UI_REPLIES[request.kind];
  const success = v.safeParse(v.object({ ok: v.literal(true), value: schema }), raw);
  if (success.success) return { ok: true, value: success.output.value as UiReplies[K] };
  return { ok: false, error: { code: 'internal', message: t('errorNoAnswer') } };
}
