// Runs before `npm start` and `npm test`: installs what a fresh machine lacks (npm packages,
// Debian's chromium, firefox-esr and postgresql, the Synapse virtualenv with its PostgreSQL driver).
// Quick when all is there.
// Runs on whatever Node is first on PATH (the machine's Node 20 before the first install), so it
// uses nothing but Node built-ins.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSynapseVenv } from './synapse.mjs';
import { ensureSystemPackages } from './system-packages.mjs';

const root = path.resolve(fileURLToPath(import.meta.url), '../..');
const lockFile = path.join(root, 'package-lock.json');
const installedMark = path.join(root, 'node_modules/.mwb-installed-lock');

function ensureNpmPackages() {
  const lockHash = createHash('sha256').update(readFileSync(lockFile)).digest('hex');
  if (existsSync(installedMark) && readFileSync(installedMark, 'utf8') === lockHash) return;
  console.log('[setup] installing npm packages (npm ci) …');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm ci failed');
  writeFileSync(installedMark, lockHash);
}

ensureNpmPackages();
ensureSystemPackages();
ensureSynapseVenv();
