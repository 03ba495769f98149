// Every locale under public/_locales against en: the same keys, the same $NAME$ placeholders in each
// message, the same placeholders objects, and no empty message (issue #16).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

type Entry = { message: string; description?: string; placeholders?: Record<string, { content: string; example?: string }> };
type Messages = Record<string, Entry>;

const LOCALES = path.resolve(import.meta.dirname, '../../public/_locales');

function read(locale: string): Messages {
  return JSON.parse(readFileSync(path.join(LOCALES, locale, 'messages.json'), 'utf8')) as Messages;
}

const en = read('en');
const locales = readdirSync(LOCALES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

/** The $NAME$ tokens of a message, lowercased (the browser matches them case-insensitively); `$$` is a literal dollar. */
function tokens(message: string): string[] {
  return [...new Set([...message.replaceAll('$$', '').matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((match) => match[1]!.toLowerCase()))].sort();
}

/** The placeholders object as name → content, names lowercased, for comparison. */
function placeholders(entry: Entry): Record<string, string> {
  return Object.fromEntries(
    Object.entries(entry.placeholders ?? {})
      .map(([name, value]) => [name.toLowerCase(), value.content] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** Problems of one locale against en, as readable lines (empty when it is complete). */
function problemsOf(messages: Messages): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(en)) if (!(key in messages)) problems.push(`missing key ${key}`);
  for (const [key, entry] of Object.entries(messages)) {
    const reference = en[key];
    if (reference === undefined) {
      problems.push(`extra key ${key} (not in en)`);
      continue;
    }
    if (typeof entry.message !== 'string' || entry.message.trim() === '') {
      problems.push(`${key}: empty message`);
      continue;
    }
    const [have, want] = [tokens(entry.message), tokens(reference.message)];
    if (have.join() !== want.join()) problems.push(`${key}: placeholders in the message are [${have.join(', ')}], en has [${want.join(', ')}]`);
    if (JSON.stringify(placeholders(entry)) !== JSON.stringify(placeholders(reference))) {
      problems.push(`${key}: placeholders object ${JSON.stringify(entry.placeholders ?? {})} differs from en's ${JSON.stringify(reference.placeholders ?? {})}`);
    }
  }
  return problems;
}

describe('locales', () => {
  it('has en and at least one other locale', () => {
    expect(locales).toContain('en');
    expect(locales.length).toBeGreaterThan(1);
  });

  it.each(locales)('%s has every en key, no other, the same placeholders and no empty message', (locale) => {
    expect(problemsOf(read(locale))).toEqual([]);
  });

  it('catches a missing key, an extra key, a changed or missing placeholder and an empty message', () => {
    const broken: Messages = structuredClone(en);
    delete broken['logIn'];
    broken['notInEn'] = { message: 'extra' };
    broken['sessionEnded'] = { ...broken['sessionEnded']!, message: 'Your session for $USR$ was ended' };
    broken['signInWith'] = { message: 'Sign in with $PROVIDER$' };
    broken['continueWith'] = { ...broken['continueWith']!, placeholders: { host: { content: '$2' } } };
    broken['logOut'] = { message: ' ' };
    const problems = problemsOf(broken);
    expect(problems).toHaveLength(6);
    expect(problems).toEqual(
      expect.arrayContaining([
        'missing key logIn',
        'extra key notInEn (not in en)',
        expect.stringMatching(/^sessionEnded: placeholders in the message are \[usr\], en has \[user\]$/),
        expect.stringMatching(/^signInWith: placeholders object/),
        expect.stringMatching(/^continueWith: placeholders object/),
        'logOut: empty message',
      ]),
    );
  });
});
