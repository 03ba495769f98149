// Issue #16, store readiness: the listing texts in docs/store/ stay within the stores' limits and
// justify exactly the permissions the built manifests ask for; the version lives in package.json only.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BROWSERS, isStoreVersion, manifestFor, readPackage } from '../../scripts/manifest.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const source = JSON.parse(read('manifest.json')) as Record<string, unknown>;
const { version } = readPackage(root);
const listings = { chrome: 'docs/store/chrome-web-store.md', firefox: 'docs/store/addons-mozilla-org.md' } as const;

/** The quoted paragraph after a `**label**` line. */
function quotedAfter(text: string, label: string): string {
  const start = text.indexOf(`**${label}**`);
  expect(start, label).toBeGreaterThanOrEqual(0);
  const quote = /\n\n((?:> .*\n)+)/.exec(text.slice(start));
  return (quote?.[1] ?? '').split('\n').map((line) => line.replace(/^> ?/, '')).join(' ').trim();
}

describe('store listings', () => {
  const locales = readdirSync(path.join(root, 'public/_locales'));
  const messages = locales.map((locale) => [locale, JSON.parse(read(`public/_locales/${locale}/messages.json`)) as Record<string, { message: string }>] as const);

  it('keeps every locale’s name within AMO’s 50 characters and description within Chrome’s 132', () => {
    for (const [locale, strings] of messages) {
      expect([...strings['extensionName']!.message].length, locale).toBeLessThanOrEqual(50);
      expect([...strings['extensionDescription']!.message].length, locale).toBeLessThanOrEqual(132);
    }
  });

  it('quotes the manifest’s description as the Chrome summary, and an AMO summary within 250 characters', () => {
    const english = messages.find(([locale]) => locale === 'en')![1];
    expect(quotedAfter(read(listings.chrome), 'Summary')).toBe(english['extensionDescription']!.message);
    const amoSummary = quotedAfter(read(listings.firefox), 'Summary');
    expect(amoSummary.length).toBeGreaterThan(50);
    expect([...amoSummary].length).toBeLessThanOrEqual(250);
  });

  for (const browserName of BROWSERS) {
    it(`justifies exactly the permissions of the ${browserName} manifest`, () => {
      const manifest = manifestFor(browserName, source, version) as { permissions: string[]; host_permissions: string[]; optional_permissions?: string[] };
      const headings = [...read(listings[browserName]).matchAll(/^### (.+)$/gm)].map((match) => match[1]!);
      const justified = headings.flatMap((heading) => [...heading.matchAll(/`([^`]+)`/g)].map((match) => match[1]!));
      const asked = [...manifest.permissions, ...manifest.host_permissions, ...(manifest.optional_permissions ?? [])];
      expect([...new Set(justified)].sort()).toEqual([...new Set(asked)].sort());
    });
  }

  it('leaves a place for each store screenshot', () => {
    for (const file of Object.values(listings)) {
      for (const name of ['popup-light', 'popup-dark', 'approval-light', 'approval-dark']) expect(read(file), file).toContain(`${name}.png`);
    }
  });
});

describe('the version, in package.json only', () => {
  it('is one browsers accept, and the manifests take it', () => {
    expect(isStoreVersion(version)).toBe(true);
    for (const browserName of BROWSERS) expect(manifestFor(browserName, source, version)['version']).toBe(version);
    // manifest.json holds a placeholder, not a second version to keep in step.
    expect(isStoreVersion(String(source['version']))).toBe(false);
  });

  it('refuses what a store would refuse', () => {
    for (const accepted of ['1', '0.1.0', '1.2.3.4', '65535.0']) expect(isStoreVersion(accepted), accepted).toBe(true);
    for (const refused of ['1.0.0-beta.1', '01.2', '1.2.3.4.5', '65536', '', 'v1']) {
      expect(isStoreVersion(refused), refused).toBe(false);
      expect(() => manifestFor('chrome', source, refused)).toThrow(/not one browsers accept/);
    }
  });

  it('is the one package-lock.json records, and the newest in CHANGELOG.md', () => {
    const lock = JSON.parse(read('package-lock.json')) as { version: string; packages: Record<string, { version?: string }> };
    expect(lock.version).toBe(version);
    expect(lock.packages['']?.version).toBe(version);
    const newest = /^## \[(\d[^\]]*)\]/m.exec(read('CHANGELOG.md'));
    expect(newest?.[1]).toBe(version);
  });
});
