// The per-browser manifests vite.config.ts writes from the one manifest.json: the background entry
// in each browser's form, the gecko settings only for Firefox, everything else shared.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestFor } from '../../scripts/manifest.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const source = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8')) as Record<string, unknown>;

describe('manifestFor', () => {
  it('gives Chrome a classic service worker and no gecko settings', () => {
    const manifest = manifestFor('chrome', source, '1.2.3');
    expect(manifest['background']).toEqual({ service_worker: 'background.js' });
    expect(manifest['minimum_chrome_version']).toBe('120');
    expect(manifest).not.toHaveProperty('browser_specific_settings');
    expect(manifest['version']).toBe('1.2.3');
  });

  it('gives Firefox a classic event page and the gecko id', () => {
    const manifest = manifestFor('firefox', source, '1.2.3');
    expect(manifest['background']).toEqual({ scripts: ['background.js'] });
    expect(manifest['browser_specific_settings']).toEqual(source['browser_specific_settings']);
    expect(manifest).not.toHaveProperty('minimum_chrome_version');
  });

  it('keeps every other field of the source as it is, in both', () => {
    const { background: _background, browser_specific_settings: _gecko, version: _version, ...shared } = source;
    for (const browserName of ['chrome', 'firefox'] as const) expect(manifestFor(browserName, source, '1.2.3')).toMatchObject(shared);
  });
});
