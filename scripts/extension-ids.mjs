// The URLs `identity.getRedirectURL()` returns in each browser, computed the way the browsers do, so
// a homeserver started before the browser can already trust them (Synapse's `sso.client_whitelist`).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(fileURLToPath(import.meta.url), '../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8'));

/**
 * Chromium names an unpacked extension (no `key` in its manifest) after its directory: SHA-256 of the
 * absolute, symlink-free path, first 16 bytes in hex, each hex digit 0-f written as a letter a-p.
 */
export function chromeUnpackedId(extensionDir) {
  const absolute = existsSync(extensionDir) ? realpathSync(extensionDir) : path.resolve(extensionDir);
  const digest = createHash('sha256').update(absolute).digest('hex').slice(0, 32);
  return [...digest].map((digit) => String.fromCharCode('a'.charCodeAt(0) + parseInt(digit, 16))).join('');
}

/** Chrome: `https://<extension id>.chromiumapp.org/`. */
export function chromeRedirectUrl(extensionDir) {
  return `https://${chromeUnpackedId(extensionDir)}.chromiumapp.org/`;
}

/** Firefox: `https://<SHA-1 hex of the add-on id>.extensions.allizom.org/`, the same on every profile. */
export function firefoxRedirectUrl(geckoId = manifest.browser_specific_settings.gecko.id) {
  return `https://${createHash('sha1').update(geckoId).digest('hex')}.extensions.allizom.org/`;
}
