// tWith: a sentence with elements in its placeholders keeps the order each translation gives it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

type Messages = Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;
let messages: Messages = {};

/** The browser's substitution: named placeholders to their `$n` content, then `$n` to the arguments. */
function getMessage(key: string, substitutions: string[]): string {
  const entry = messages[key];
  if (!entry) return '';
  const named = entry.message.replace(/\$([A-Za-z_]+)\$/g, (_all, name: string) => entry.placeholders?.[name.toLowerCase()]?.content ?? '');
  return named.replace(/\$(\d)/g, (_all, digit: string) => substitutions[Number(digit) - 1] ?? '');
}

vi.mock('webextension-polyfill', () => ({ default: { i18n: { getMessage } } }));
const { t, tWith } = await import('../../src/shared/ui/i18n');

const load = (locale: string): Messages =>
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, `../../public/_locales/${locale}/messages.json`), 'utf8')) as Messages;

describe('tWith', () => {
  beforeEach(() => {
    messages = load('en');
  });

  it('puts the parts where the English sentence has them', () => {
    const site: object = { site: 1 };
    const account: object = { account: 2 };
    expect(tWith('approvalSubtitle', site, account)).toEqual(['on ', site, ', wants to use your Matrix account ', account]);
  });

  it('follows a translation that orders the sentence otherwise', () => {
    messages = load('ja');
    const site: object = { site: 1 };
    const account: object = { account: 2 };
    const parts = tWith('approvalSubtitle', site, account);
    expect(parts.filter((part) => typeof part !== 'string')).toEqual([site, account]);
    expect(parts[0]).toBe('サイト ');
    messages = { approvalSubtitle: { message: '$ACCOUNT$ — $SITE$', placeholders: { site: { content: '$1' }, account: { content: '$2' } } } };
    expect(tWith('approvalSubtitle', site, account)).toEqual([account, ' — ', site]);
  });

  it('joins list items with the language’s own separator', () => {
    expect(t('listSeparator')).toBe(', ');
    messages = load('ja');
    expect(t('listSeparator')).toBe('、');
  });
});
