// The docs point only at what the repository holds: every relative Markdown link in README.md,
// bench/README.md and docs/ names an existing file, and a `#fragment` into a Markdown file names one
// of its headings (GitHub's anchors). Links to the web are not followed.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

function markdownUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return markdownUnder(full);
    return entry.name.endsWith('.md') ? [full] : [];
  });
}

const FILES = [path.join(ROOT, 'README.md'), path.join(ROOT, 'bench/README.md'), ...markdownUnder(path.join(ROOT, 'docs'))];

/** GitHub's anchor for a heading: lowercased, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*]/g, '')
    .replace(/[^\p{L}\p{N}_ -]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1]!)));
}

/** `[text](target)` and `![alt](target)` outside code blocks and code spans; web and mail links left out. */
function relativeLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('relative links in the docs', () => {
  it('finds the docs and their links', () => {
    expect(FILES.length).toBeGreaterThan(5);
    expect(FILES.flatMap(relativeLinks).length).toBeGreaterThan(20);
  });

  it.each(FILES.map((file) => [path.relative(ROOT, file), file] as const))('%s', (_name, file) => {
    const broken: string[] = [];
    for (const link of relativeLinks(file)) {
      const [target = '', fragment] = link.split('#');
      const resolved = target === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(target));
      if (!resolved.startsWith(ROOT + path.sep) || !existsSync(resolved)) {
        broken.push(`${link}: no such file in the repository`);
        continue;
      }
      if (fragment !== undefined && resolved.endsWith('.md') && statSync(resolved).isFile() && !anchorsOf(resolved).has(fragment)) {
        broken.push(`${link}: no heading with that anchor`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('cites no design notes kept outside the repository', () => {
    const citing = FILES.filter((file) => /DESIGN(\.md| §)/.test(readFileSync(file, 'utf8'))).map((file) => path.relative(ROOT, file));
    expect(citing).toEqual([]);
  });

  it('makes anchors as GitHub does', () => {
    expect(anchorOf('Frame challenges: what a nonce is worth to a hostile page')).toBe('frame-challenges-what-a-nonce-is-worth-to-a-hostile-page');
    expect(anchorOf('How to read a ratio')).toBe('how-to-read-a-ratio');
    expect(anchorOf('One `send_event`, file by file')).toBe('one-send_event-file-by-file');
  });
});
