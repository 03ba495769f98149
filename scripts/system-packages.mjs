// Installs the Debian packages the project needs (the browsers, PostgreSQL for Synapse) when they
// are missing. One `apt-get update` first, as Debian requires on a fresh machine.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { postgresBinDir } from './postgres.mjs';

const REQUIRED = [
  { present: () => existsSync('/usr/bin/chromium'), debianPackage: 'chromium' },
  { present: () => existsSync('/usr/bin/firefox-esr'), debianPackage: 'firefox-esr' },
  // The server binaries live under /usr/lib/postgresql/<version>/bin (scripts/postgres.mjs).
  { present: () => postgresBinDir() !== undefined, debianPackage: 'postgresql' },
];

export function ensureSystemPackages() {
  const missing = REQUIRED.filter(({ present }) => !present()).map(({ debianPackage }) => debianPackage);
  if (missing.length === 0) return;
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  console.log(`[setup] installing Debian packages: ${missing.join(', ')}`);
  for (const args of [['apt-get', 'update', '-qq'], ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]]) {
    const command = [...asRoot, ...args];
    const result = spawnSync(command[0], command.slice(1), {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (result.status !== 0) {
      throw new Error(`"${command.join(' ')}" failed; install ${missing.join(' and ')} yourself and run again`);
    }
  }
}
