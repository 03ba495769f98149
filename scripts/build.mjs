// Runs the three builds vite.config.ts defines (background, content, pages) into dist/chrome and
// dist/firefox. The definition is in vite.config.ts; this file only empties the output folders
// (the three builds share them, so none of them may) and runs the builds in turn.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = path.resolve(fileURLToPath(import.meta.url), '../..');
export const configFile = path.join(root, 'vite.config.ts');
export const BUILD_MODES = ['background', 'content', 'pages'];

/** Removes the output folders of the browsers MWB_BROWSER selects (both when unset). */
export async function cleanDist() {
  const only = process.env.MWB_BROWSER;
  // .stage: where builds before vite.config.ts staged their output; a checkout may still have it.
  for (const folder of [...(only ? [only] : ['chrome', 'firefox']), '.stage']) {
    await rm(path.join(root, 'dist', folder), { recursive: true, force: true });
  }
}

export async function buildExtension() {
  await cleanDist();
  for (const mode of BUILD_MODES) await build({ configFile, mode });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildExtension();
  console.log(`built ${process.env.MWB_BROWSER ? `dist/${process.env.MWB_BROWSER}` : 'dist/chrome and dist/firefox'}`);
}
