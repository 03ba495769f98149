// How extension pages (popup, approval window) ask the background. Replies are parsed values.
import browser from 'webextension-polyfill';
import type { UiReplies } from '../protocol/background-to-ui';
import type { Reply } from '../protocol/errors';
import type { UiKind, UiRequest } from '../protocol/ui-to-background';
import { t } from './i18n';

export async function askBackground<K extends UiKind>(request: UiRequest<K>): Promise<Reply<UiReplies[K]>> {
  try {
    return (await browser.runtime.sendMessage(request)) as Reply<UiReplies[K]>;
  } catch {
    return { ok: false, error: { code: 'internal', message: t('errorNoAnswer') } };
  }
}
