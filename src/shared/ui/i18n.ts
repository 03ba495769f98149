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

/** Marks where a part goes in a message, in a form no translation contains. */
const PART = (index: number) => `\u0001${index}\u0001`;

/**
 * The message for `key` with elements in its placeholders (a name in bold, a link), in the order the
 * translation puts them: a sentence is one message, never fragments glued around the parts.
 */
export function tWith<Part>(key: MessageKey, ...parts: Part[]): (string | Part)[] {
  const text = t(key, ...parts.map((_part, index) => PART(index)));
  return text.split(/\u0001(\d+)\u0001/).map((piece, index) => (index % 2 === 1 ? (parts[Number(piece)] as Part) : piece)).filter((piece) => piece !== '');
}
