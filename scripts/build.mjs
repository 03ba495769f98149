// Builds dist/chrome and dist/firefox: the background as one ES module without dynamic imports
// (Chrome forbids import() in service workers), the content script as one classic IIFE file,
// and the extension pages as a normal multi-page build.
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { manifestFor } from './manifest.mjs';
import { noRawHtml } from './no-raw-html.mjs';

const root = path.resolve(fileURLToPath(import.meta.url), '../..');
const stage = path.join(root, 'dist/.stage');
const isProduction = process.env.NODE_ENV !== 'development';

const common = {
  root: path.join(root, 'src'),
  configFile: false,
  logLevel: 'warn',
  publicDir: false,
  define: { 'process.env.NODE_ENV': JSON.stringify(isProduction ? 'production' : 'development') },
};

async function buildScript(entry, fileName, format) {
  // Not vite's library mode: it would inline the crypto wasm into the worker as base64.
  await build({
    ...common,
    build: {
      outDir: path.join(stage, format),
      emptyOutDir: false,
      target: 'es2022',
      minify: isProduction,
      sourcemap: false,
      assetsInlineLimit: 0,
      modulePreload: false,
      rolldownOptions: {
        input: path.join(root, entry),
        output: { format, entryFileNames: fileName, codeSplitting: false, assetFileNames: 'assets/[name]-[hash][extname]' },
      },
    },
  });
}

async function buildPages() {
  await build({
    ...common,
    plugins: [noRawHtml()],
    base: '/',
    build: {
      outDir: path.join(stage, 'pages'),
      emptyOutDir: false,
      target: 'es2022',
      minify: isProduction,
      sourcemap: false,
      modulePreload: false,
      rolldownOptions: {
        input: {
          popup: path.join(root, 'src/popup/index.html'),
          approval: path.join(root, 'src/approval/index.html'),
        },
      },
    },
  });
}

export async function buildExtension() {
  for (const folder of ['chrome', 'firefox', '.stage']) await rm(path.join(root, 'dist', folder), { recursive: true, force: true });
  await buildScript('src/background/index.ts', 'background.js', 'es');
  await buildScript('src/content/index.ts', 'content.js', 'iife');
  await buildPages();
  const source = JSON.parse(await readFile(path.join(root, 'manifest.json'), 'utf8'));
  const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
  for (const browserName of ['chrome', 'firefox']) {
    const out = path.join(root, 'dist', browserName);
    await mkdir(out, { recursive: true });
    await cp(path.join(root, 'public'), out, { recursive: true });
    await cp(path.join(stage, 'es'), out, { recursive: true });
    await cp(path.join(stage, 'iife/content.js'), path.join(out, 'content.js'));
    await cp(path.join(stage, 'pages'), out, { recursive: true });
    const manifest = manifestFor(browserName, source, version);
    await writeFile(path.join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  }
  await rm(stage, { recursive: true, force: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildExtension();
  console.log('built dist/chrome and dist/firefox');
}
