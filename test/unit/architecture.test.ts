// The layout is the architecture (STYLE §1): each context imports only `shared/` and its own folder,
// and the pure core imports no browser, storage or SDK code. Checked on the sources' import lines.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.ts$/.test(entry.name) ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((match) => match[1] ?? '');
}

/** The top-level src folder a relative import lands in, or the package name. */
function target(file: string, specifier: string): string {
  if (!specifier.startsWith('.')) return `package:${specifier}`;
  // A file a package's exports map hides (the crypto wasm) is still that package's.
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(specifier);
  if (inPackage) return `package:${inPackage[1]}`;
  const resolved = path.relative(SRC, path.resolve(path.dirname(file), specifier));
  return resolved.split(path.sep).slice(0, resolved.startsWith('shared') ? 2 : 1).join('/');
}

const CONTEXTS = ['background', 'content', 'popup', 'approval'];

describe('import boundaries', () => {
  it.each(CONTEXTS)('%s imports only shared/ and itself', (context) => {
    const offenders = sourceFiles(path.join(SRC, context)).flatMap((file) =>
      importsOf(file)
        .map((specifier) => target(file, specifier))
        .filter((where) => !where.startsWith('package:') && where !== context && !where.startsWith('shared'))
        .map((where) => `${path.relative(SRC, file)} → ${where}`),
    );
    expect(offenders).toEqual([]);
  });

  it('shared/ imports no context folder', () => {
    const offenders = sourceFiles(path.join(SRC, 'shared')).flatMap((file) =>
      importsOf(file)
        .map((specifier) => target(file, specifier))
        .filter((where) => CONTEXTS.includes(where))
        .map((where) => `${path.relative(SRC, file)} → ${where}`),
    );
    expect(offenders).toEqual([]);
  });

  it('shared/core and shared/protocol import no browser, storage or SDK code', () => {
    const allowedPackages = new Set(['package:valibot']);
    const offenders = ['core', 'protocol'].flatMap((folder) =>
      sourceFiles(path.join(SRC, 'shared', folder)).flatMap((file) =>
        importsOf(file)
          .map((specifier) => target(file, specifier))
          .filter((where) => where.startsWith('package:') && !allowedPackages.has(where))
          .map((where) => `${path.relative(SRC, file)} → ${where}`),
      ),
    );
    expect(offenders).toEqual([]);
  });

  it('only background/adapters touches IndexedDB or extension storage', () => {
    const offenders = sourceFiles(path.join(SRC, 'background'))
      .filter((file) => !file.includes(`${path.sep}adapters${path.sep}`))
      .filter((file) => /from ['"]idb['"]|(browser|chrome)\.storage\./.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(SRC, file));
    expect(offenders).toEqual([]);
  });
});
