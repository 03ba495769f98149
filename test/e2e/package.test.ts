// Issue #8 packaging: the store packages are built from a production build, lint clean in Firefox's
// linter, and install and start in both browsers.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageExtension } from '../../scripts/package.mjs';
import { waitForValue } from '../support/browser-driver';
import { launchChromium } from '../support/chromium';
import { launchFirefox } from '../support/firefox';

const root = path.resolve(import.meta.dirname, '../..');

describe('store packages', () => {
  let artifacts: { chrome: string; firefox: string };
  let unpacked: string;

  beforeAll(async () => {
    artifacts = (await packageExtension()) as { chrome: string; firefox: string };
    unpacked = await mkdtemp(path.join(os.tmpdir(), 'mwb-unpacked-'));
    spawnSync('python3', ['-m', 'zipfile', '-e', artifacts.chrome, unpacked]);
  });
  afterAll(async () => {
    await rm(unpacked, { recursive: true, force: true });
  });

  it('lints clean with web-ext (0 errors, 0 warnings)', () => {
    const lint = spawnSync(path.join(root, 'node_modules/.bin/web-ext'), ['lint', '--source-dir', path.join(root, 'dist/firefox'), '--output', 'json'], {
      encoding: 'utf8',
    });
    const report = JSON.parse(lint.stdout) as { summary: { errors: number; warnings: number }; warnings: { code: string }[] };
    expect(report.warnings.map((warning) => warning.code)).toEqual([]);
    expect(report.summary).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('carries the package.json version, no source maps and no web-accessible resources', async () => {
    const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string };
    const listing = spawnSync('python3', ['-m', 'zipfile', '-l', artifacts.chrome], { encoding: 'utf8' }).stdout;
    expect(listing).not.toMatch(/\.map\b/);
    const manifest = JSON.parse(await readFile(path.join(unpacked, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest['version']).toBe(version);
    expect(manifest['web_accessible_resources']).toBeUndefined();
  });

  it('asks for the permissions it uses and no more, with a strict CSP and no eval or remote code', async () => {
    const manifest = JSON.parse(await readFile(path.join(unpacked, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    // Each one is explained in the README; adding one must be a decision, not an accident.
    expect([...(manifest['permissions'] as string[])].sort()).toEqual(['identity', 'storage', 'unlimitedStorage', 'webNavigation']);
    expect(manifest['host_permissions']).toEqual(['<all_urls>']);
    expect(manifest['optional_permissions']).toBeUndefined();
    const csp = (manifest['content_security_policy'] as { extension_pages: string }).extension_pages;
    // Only the package's own scripts; the wasm of Rust crypto needs 'wasm-unsafe-eval', never 'unsafe-eval'.
    expect(csp).toBe("script-src 'self' 'wasm-unsafe-eval'; object-src 'self'");
    const files = spawnSync('python3', ['-m', 'zipfile', '-l', artifacts.chrome], { encoding: 'utf8' }).stdout;
    const scripts = [...files.matchAll(/^(\S+\.(?:js|html))\s/gm)].map((match) => match[1]!);
    expect(scripts.length).toBeGreaterThan(3);
    for (const file of scripts) {
      const text = await readFile(path.join(unpacked, file), 'utf8');
      expect(text, file).not.toMatch(/(?<![\w.$])eval\(|new Function\(/);
      expect(text, file).not.toMatch(/<script[^>]+src=["']?https?:|importScripts\(\s*["']https?:|import\(\s*["']https?:/);
    }
  });

  it('installs from the Chrome zip (unpacked) and starts its worker and popup', async () => {
    const browser = await launchChromium(unpacked);
    try {
      const popup = await browser.openExtensionUi();
      await waitForValue(popup, `!!document.querySelector('#login')`, 'the login form of the packaged popup');
    } finally {
      await browser.close();
    }
  });

  it('installs from the Firefox xpi and opens its first-run page', async () => {
    const browser = await launchFirefox(artifacts.firefox);
    try {
      const welcome = await browser.openExtensionUi();
      await waitForValue(welcome, `!!document.querySelector('#login')`, 'the login form of the packaged first-run page');
    } finally {
      await browser.close();
    }
  });
});
