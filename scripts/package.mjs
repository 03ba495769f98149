// `npm run package`: a production build, then artifacts/<name>-<version>-chrome.zip and
// artifacts/<name>-<version>-firefox.xpi (unsigned). No source maps, no web_accessible_resources.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExtension } from './build.mjs';

const root = path.resolve(fileURLToPath(import.meta.url), '../..');
export const artifactsDir = path.join(root, 'artifacts');

export async function packageExtension() {
  process.env.NODE_ENV = 'production';
  await buildExtension();
  const { name, version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
  const artifacts = {};
  for (const [browserName, extension] of [['chrome', 'zip'], ['firefox', 'xpi']]) {
    const filename = `${name}-${version}-${browserName}.${extension}`;
    const result = spawnSync(
      path.join(root, 'node_modules/.bin/web-ext'),
      ['build', '--source-dir', path.join(root, 'dist', browserName), '--artifacts-dir', artifactsDir, '--filename', filename, '--overwrite-dest'],
      { cwd: root, encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`packaging for ${browserName} failed:\n${result.stdout}\n${result.stderr}`);
    artifacts[browserName] = path.join(artifactsDir, filename);
  }
  return artifacts;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const artifacts = await packageExtension();
  for (const file of Object.values(artifacts)) console.log(path.relative(root, file));
}
