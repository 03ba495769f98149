// `npm run package`: a production build, then in artifacts/
//   <name>-<version>-chrome.zip     for the Chrome Web Store (or Load unpacked, once unzipped)
//   <name>-<version>-firefox.xpi    for addons.mozilla.org (unsigned)
//   <name>-<version>.sha256         both packages' SHA-256, as `sha256sum -c` reads it
//   <name>-<version>-source.zip     the committed sources (`git archive` of HEAD), for Mozilla's reviewers
// The packages are the same bytes for every build of one commit, wherever it is checked out
// (scripts/zip.mjs; test/e2e/reproducible-package.test.ts checks it; docs/store/rebuilding.md says
// how a reviewer rebuilds). No source maps, no web_accessible_resources.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExtension } from './build.mjs';
import { readPackage } from './manifest.mjs';
import { listFiles, zipFolder } from './zip.mjs';

const root = path.resolve(fileURLToPath(import.meta.url), '../..');
export const artifactsDir = path.join(root, 'artifacts');

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/**
 * Why no source archive can be made here, or null if it can: the archive is of HEAD, so it must be
 * what was built. Outside a git checkout (a reviewer building from the source archive) there is none.
 */
function sourceArchiveObstacle() {
  const git = (...args) => spawnSync('git', ['-C', root, ...args], { encoding: 'utf8' });
  const top = git('rev-parse', '--show-toplevel');
  if (top.status !== 0 || path.resolve(top.stdout.trim()) !== root) return 'this folder is not a git checkout';
  const status = git('status', '--porcelain');
  if (status.status !== 0) return `git status failed: ${status.stderr.trim()}`;
  if (status.stdout.trim() !== '') return 'the working tree differs from HEAD (commit or stash first): the archive would not be what was built';
  return null;
}

export async function packageExtension() {
  process.env.NODE_ENV = 'production';
  // A store package holds both browsers' builds; a leftover MWB_BROWSER from `npm run dev` would build one.
  delete process.env.MWB_BROWSER;
  await buildExtension();
  const { name, version } = readPackage(root);
  await mkdir(artifactsDir, { recursive: true });
  /** @type {{ chrome: string, firefox: string, sums: string, source: string | null, sourceSkipped: string | null }} */
  const artifacts = { chrome: '', firefox: '', sums: '', source: null, sourceSkipped: null };
  const sums = [];
  for (const [browserName, extension] of [['chrome', 'zip'], ['firefox', 'xpi']]) {
    const filename = `${name}-${version}-${browserName}.${extension}`;
    const folder = path.join(root, 'dist', browserName);
    const bytes = await zipFolder(folder, await listFiles(folder));
    await writeFile(path.join(artifactsDir, filename), bytes);
    artifacts[browserName] = path.join(artifactsDir, filename);
    sums.push(`${sha256(bytes)}  ${filename}\n`);
  }
  artifacts.sums = path.join(artifactsDir, `${name}-${version}.sha256`);
  await writeFile(artifacts.sums, sums.join(''));
  const obstacle = sourceArchiveObstacle();
  artifacts.sourceSkipped = obstacle;
  if (obstacle === null) {
    const filename = `${name}-${version}-source.zip`;
    const archive = spawnSync('git', ['-C', root, 'archive', '--format=zip', `--prefix=${name}-${version}-source/`, '-o', path.join(artifactsDir, filename), 'HEAD'], {
      encoding: 'utf8',
    });
    if (archive.status !== 0) throw new Error(`git archive failed: ${archive.stderr}`);
    artifacts.source = path.join(artifactsDir, filename);
  }
  return artifacts;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const artifacts = await packageExtension();
  for (const file of [artifacts.chrome, artifacts.firefox, artifacts.sums, artifacts.source]) if (file) console.log(path.relative(root, file));
  if (artifacts.sourceSkipped) console.log(`no source archive: ${artifacts.sourceSkipped}`);
}
