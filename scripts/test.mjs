// `npm test`: type-check, lint, then every test layer (unit, integration against the real Synapse, e2e in
// real Chromium and Firefox ESR) in one vitest run. Arguments are passed on to vitest.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(fileURLToPath(import.meta.url), '../..');
const bin = (name) => path.join(root, 'node_modules/.bin', name);

const started = Date.now();
const typecheck = spawnSync(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
if (typecheck.status !== 0) {
  console.error('type check failed');
  process.exit(typecheck.status ?? 1);
}
// The import boundaries and the promise rules (eslint.config.js); it fails on any error.
const lint = spawnSync(bin('eslint'), ['.', '--max-warnings', '0'], { cwd: root, stdio: 'inherit' });
if (lint.status !== 0) {
  console.error('lint failed');
  process.exit(lint.status ?? 1);
}
// Supply chain: fails on a high or critical advisory; says so when the registry cannot be asked.
const audit = spawnSync(process.execPath, [path.join(root, 'scripts/audit.mjs')], { cwd: root, stdio: 'inherit' });
if (audit.status !== 0) {
  console.error('npm audit found high or critical advisories');
  process.exit(audit.status ?? 1);
}
// Every layer but the full bench (a smoke version of it is among the e2e tests).
const layers = ['--project', 'unit', '--project', 'integration', '--project', 'e2e'];
const tests = spawnSync(bin('vitest'), ['run', ...layers, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
console.log(`npm test took ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(tests.status ?? 1);
