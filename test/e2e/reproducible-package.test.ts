// Issue #16: Mozilla's reviewers rebuild the add-on from its sources and compare. Two clean clones of
// one commit, in two folders, each `npm run package`d, give byte-identical store packages; so does
// the source archive the first one wrote, unpacked into a third folder (what a reviewer is given).
// The commit is HEAD: what is not committed is not tested here. node_modules is this checkout's,
// hard-linked into each folder (copied if that fails) instead of `npm ci`, to keep the test off the
// registry and fast; every folder still has its own path, so a path in a bundle would differ.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const { name, version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const packages = [`${name}-${version}-chrome.zip`, `${name}-${version}-firefox.xpi`];
const sourceArchive = `${name}-${version}-source.zip`;

function run(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${String(result.stdout)}\n${String(result.stderr)}`);
  return String(result.stdout);
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** This checkout's node_modules in `folder`: hard links (one file system), else a copy. */
async function provideNodeModules(folder: string): Promise<void> {
  const modules = await realpath(path.join(root, 'node_modules'));
  const linked = spawnSync('cp', ['-al', modules, path.join(folder, 'node_modules')]);
  if (linked.status !== 0) run('cp', ['-a', modules, path.join(folder, 'node_modules')]);
}

/** `npm run package` in `folder`, as a reviewer runs it (npm puts the pinned node first on PATH). */
function packageIn(folder: string): string {
  const environment = { ...process.env };
  // Nothing of this run's own set-up may steer the build.
  for (const key of ['MWB_BROWSER', 'MWB_SKIP_BUILD', 'NODE_ENV', 'SOURCE_DATE_EPOCH']) delete environment[key];
  return run('npm', ['run', '--silent', 'package'], { cwd: folder, env: environment });
}

describe('reproducible store packages', () => {
  const commit = run('git', ['-C', root, 'rev-parse', 'HEAD']).trim();
  let scratch: string;
  const folders: Record<'first' | 'second' | 'fromSource', string> = { first: '', second: '', fromSource: '' };
  const outputs: Record<string, string> = {};
  let started: number;

  beforeAll(async () => {
    started = Date.now();
    scratch = await mkdtemp(path.join(os.tmpdir(), 'mwb-reproducible-'));
    for (const clone of ['first', 'second'] as const) {
      folders[clone] = path.join(scratch, clone);
      run('git', ['clone', '--quiet', '--no-checkout', root, folders[clone]]);
      run('git', ['-C', folders[clone], 'checkout', '--quiet', commit]);
      await provideNodeModules(folders[clone]);
      outputs[clone] = packageIn(folders[clone]);
    }
    // The reviewer's way: the source archive the first clone wrote, unpacked elsewhere, no git.
    run('python3', ['-m', 'zipfile', '-e', path.join(folders.first, 'artifacts', sourceArchive), path.join(scratch, 'source')]);
    folders.fromSource = path.join(scratch, 'source', `${name}-${version}-source`);
    await provideNodeModules(folders.fromSource);
    outputs['fromSource'] = packageIn(folders.fromSource);
  }, 600_000);

  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('gives byte-identical zip and xpi from two clones and from the source archive', async () => {
    const figures: string[] = [];
    for (const file of packages) {
      const sums = await Promise.all(Object.values(folders).map((folder) => sha256(path.join(folder, 'artifacts', file))));
      expect(new Set(sums).size, `${file}: ${sums.join(' ')}`).toBe(1);
      const size = (await readFile(path.join(folders.first, 'artifacts', file))).length;
      figures.push(`${file} ${size} bytes sha256 ${sums[0]} (x3)`);
    }
    // The checksum file each run wrote says the same, and matches the packages.
    const sumsFile = `${name}-${version}.sha256`;
    const listed = await Promise.all(Object.values(folders).map((folder) => readFile(path.join(folder, 'artifacts', sumsFile), 'utf8')));
    expect(new Set(listed).size).toBe(1);
    run('sha256sum', ['--check', '--strict', sumsFile], { cwd: path.join(folders.first, 'artifacts') });
    console.log(`reproducible packages of ${commit.slice(0, 12)} in ${Math.round((Date.now() - started) / 1000)} s:\n  ${figures.join('\n  ')}`);
  });

  it('writes the source archive of the commit in a clone, the same in both, and none without git', async () => {
    const [first, second] = await Promise.all([sha256(path.join(folders.first, 'artifacts', sourceArchive)), sha256(path.join(folders.second, 'artifacts', sourceArchive))]);
    expect(first).toBe(second);
    const archived = run('python3', ['-c', 'import sys, zipfile; print("\\n".join(n for n in zipfile.ZipFile(sys.argv[1]).namelist() if not n.endswith("/")))', path.join(folders.first, 'artifacts', sourceArchive)])
      .trim()
      .split('\n')
      .map((entry) => entry.slice(`${name}-${version}-source/`.length))
      .sort();
    const tracked = run('git', ['-C', root, 'ls-tree', '-r', '--name-only', commit]).trim().split('\n').sort();
    expect(archived).toEqual(tracked);
    const size = (await readFile(path.join(folders.first, 'artifacts', sourceArchive))).length;
    console.log(`  ${sourceArchive} ${size} bytes sha256 ${first} (x2)`);
    expect(outputs['fromSource']).toMatch(/no source archive: this folder is not a git checkout/);
  });
});
