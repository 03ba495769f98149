// Every user-visible string goes through the browser's i18n API (`_locales/<lang>/messages.json`).
import browser from 'webextension-polyfill';
import type { Message } from '../core/capability-description';

export type MessageKey = keyof typeof import('../../../public/_locales/en/messages.json');

/** The message for `key` in the browser's language; the key itself if it is missing (visible in tests). */
export function t(key: MessageKey, ...substitutions: string[]): string {
  return browser.i18n.getMessage(key, substitutions) || key;
}

/** Renders a message built by pure core code (keys are checked by the i18n test). */
export function render(message: Message): string {
  const substitutions = message.substitutions.map((part) => (typeof part === 'string' ? part : render(part)));
  return t(message.key as MessageKey, ...substitutions);
}
