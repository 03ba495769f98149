// The store packages' zip writer (scripts/zip.mjs): its bytes depend on the files' paths and contents
// only, and what it writes is a zip that another implementation (Python's zipfile) reads back.
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ENTRY_TIME, entryTime, listFiles, zipFolder } from '../../scripts/zip.mjs';

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

/** A folder holding `files`, written in the order given. */
async function folderWith(files: [string, string | Buffer][]): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'mwb-zip-'));
  folders.push(folder);
  for (const [name, content] of files) {
    await mkdir(path.dirname(path.join(folder, name)), { recursive: true });
    await writeFile(path.join(folder, name), content);
  }
  return folder;
}

type ReadBack = { name: string; date: number[]; mode: string; content: string }[];

/** What Python's zipfile reads from `zip`: each entry's name, date, Unix mode and content. */
function readWithPython(zip: Buffer): ReadBack {
  const script = [
    'import io, json, sys, zipfile',
    'z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))',
    'assert z.testzip() is None',
    'print(json.dumps([{"name": i.filename, "date": list(i.date_time), "mode": oct(i.external_attr >> 16), "content": z.read(i).decode("latin-1")} for i in z.infolist()]))',
  ].join('\n');
  const result = spawnSync('python3', ['-c', script], { input: zip, encoding: 'buffer' });
  expect(result.status, result.stderr.toString()).toBe(0);
  return JSON.parse(result.stdout.toString()) as ReadBack;
}

const random = Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919 + 13) % 251));
const FILES: [string, string | Buffer][] = [
  ['manifest.json', '{"manifest_version": 3}\n'],
  ['assets/z-last.js', 'console.log("z");\n'.repeat(200)],
  ['_locales/en/messages.json', '{}'],
  ['assets/a-first.bin', random],
];

describe('zipFolder', () => {
  it('writes a zip that another reader reads back whole: sorted names, one fixed date, rw-r--r--', async () => {
    const folder = await folderWith(FILES);
    const entries = readWithPython(await zipFolder(folder, await listFiles(folder)));
    expect(entries.map((entry) => entry.name)).toEqual(['_locales/en/messages.json', 'assets/a-first.bin', 'assets/z-last.js', 'manifest.json']);
    for (const entry of entries) {
      expect(entry.date).toEqual([1980, 1, 1, 0, 0, 0]);
      expect(entry.mode).toBe('0o100644');
      const original = FILES.find(([name]) => name === entry.name)![1];
      expect(Buffer.from(entry.content, 'latin1').equals(Buffer.from(original))).toBe(true);
    }
  });

  it('gives the same bytes whatever order the files were written in, their times and their modes', async () => {
    const first = await folderWith(FILES);
    const second = await folderWith([...FILES].reverse());
    await utimes(path.join(second, 'manifest.json'), new Date('2031-05-06T07:08:09Z'), new Date('2031-05-06T07:08:09Z'));
    await chmod(path.join(second, 'assets/z-last.js'), 0o755);
    const a = await zipFolder(first, await listFiles(first));
    const b = await zipFolder(second, await listFiles(second));
    expect(a.equals(b)).toBe(true);
  });

  it('changes when a file changes', async () => {
    const first = await folderWith(FILES);
    const second = await folderWith([...FILES.slice(1), ['manifest.json', '{"manifest_version": 2}\n']]);
    expect((await zipFolder(first, await listFiles(first))).equals(await zipFolder(second, await listFiles(second)))).toBe(false);
  });

  it('dates the entries from SOURCE_DATE_EPOCH when it is set', async () => {
    const folder = await folderWith(FILES.slice(0, 1));
    const time = entryTime({ SOURCE_DATE_EPOCH: String(Date.UTC(2026, 11, 3, 14, 49, 54) / 1000) });
    expect(readWithPython(await zipFolder(folder, await listFiles(folder), { time }))[0]!.date).toEqual([2026, 12, 3, 14, 49, 54]);
    expect(entryTime({})).toBe(DEFAULT_ENTRY_TIME);
    expect(() => entryTime({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(/whole seconds/);
  });
});
