// The extension's build, as three vite configurations picked by mode (`npm run build` runs all three
// through scripts/build.mjs; `vite build --mode background` runs one):
//   background  one classic IIFE file without dynamic imports (Chrome forbids import() in service
//               workers; js-sdk loads rust-crypto lazily, so code splitting is off). Classic, not a
//               module: Chromium starts a classic worker of this size 20-45 ms sooner on every wake
//               (bench/README.md, P3)
//   content     one classic IIFE file: a content script cannot be a module
//   pages       the popup and approval pages as a multi-page app, plus public/ and the manifests
// Each build writes every browser's folder at once (one rolldown output per browser), so the bundles
// are the same bytes in dist/chrome and dist/firefox; MWB_BROWSER=chrome|firefox narrows it to one
// (`npm run dev`). Not @crxjs/vite-plugin: docs/decisions/build-without-crxjs.md says why.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin, type UserConfig } from 'vite';
import { BROWSERS, manifestFor, readPackage, type BrowserName } from './scripts/manifest.mjs';
import { noRawHtml } from './scripts/no-raw-html.mjs';

const root = path.dirname(fileURLToPath(import.meta.url));
export const BUILD_MODES = ['background', 'content', 'pages'] as const;
export type BuildMode = (typeof BUILD_MODES)[number];

/** The browsers this run builds for: both, unless MWB_BROWSER names one. */
function targetBrowsers(): readonly BrowserName[] {
  const only = process.env['MWB_BROWSER'];
  if (only === undefined || only === '') return BROWSERS;
  const named = BROWSERS.find((browserName) => browserName === only);
  if (!named) throw new Error(`MWB_BROWSER must be one of ${BROWSERS.join(', ')}, not "${only}"`);
  return [named];
}

export const outDirFor = (browserName: BrowserName): string => path.join(root, 'dist', browserName);

/**
 * Writes each browser's manifest.json from the one source manifest.json (and the version from
 * package.json) into that browser's output folder. Both files are watched, so `npm run dev` rewrites
 * the manifests when either changes.
 */
export function extensionManifest(browsers: readonly BrowserName[]): Plugin {
  const sourcePath = path.join(root, 'manifest.json');
  const packagePath = path.join(root, 'package.json');
  return {
    name: 'matrix-widget-bridge:manifest',
    buildStart() {
      this.addWatchFile(sourcePath);
      this.addWatchFile(packagePath);
    },
    // Once per output, that is per browser; written after the bundle, as the manifest differs by browser.
    writeBundle(output) {
      const browserName = browsers.find((candidate) => outDirFor(candidate) === output.dir);
      if (!browserName) throw new Error(`manifest: no browser writes to ${output.dir ?? '(no dir)'}`);
      const source = JSON.parse(readFileSync(sourcePath, 'utf8')) as Record<string, unknown>;
      const manifest = manifestFor(browserName, source, readPackage(root).version);
      writeFileSync(path.join(outDirFor(browserName), 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    },
  };
}

function isBuildMode(mode: string): mode is BuildMode {
  return (BUILD_MODES as readonly string[]).includes(mode);
}

export default defineConfig(({ mode }): UserConfig => {
  if (!isBuildMode(mode)) throw new Error(`vite.config.ts: --mode must be one of ${BUILD_MODES.join(', ')}, not "${mode}"`);
  const browsers = targetBrowsers();
  // Production unless asked otherwise: vitest's global setup runs with NODE_ENV=test and must test
  // the production build.
  const isProduction = process.env['NODE_ENV'] !== 'development';
  const scriptEntry = { background: 'src/background/index.ts', content: 'src/content/index.ts' } as const;
  /** One rolldown output per browser folder; vite copies public/ into each and empties none. */
  const outputs = (options: { format: 'es' | 'iife'; entryFileNames?: string; assetFileNames?: string; codeSplitting?: false }) =>
    browsers.map((browserName) => ({ dir: outDirFor(browserName), ...options }));
  const common: UserConfig = {
    root: path.join(root, 'src'),
    logLevel: 'warn',
    define: { 'process.env.NODE_ENV': JSON.stringify(isProduction ? 'production' : 'development') },
    // Three builds share each output folder: scripts/build.mjs empties it once, before the first.
    publicDir: false,
    // A dependency's JSON (unhomoglyph's confusables table, in the worker) becomes one JSON.parse of a
    // string rather than a module with a getter per key: ~10 ms less bundle evaluation on every cold
    // wake (bench/README.md, P3). No source file imports a JSON's keys by name.
    json: { namedExports: false, stringify: true },
  };
  const build = {
    emptyOutDir: false,
    target: 'es2022',
    minify: isProduction,
    sourcemap: false,
    modulePreload: false,
    // The background is one file of about 1.3 MB (matrix-js-sdk and the crypto bindings): a service
    // worker cannot split it (no import()), and its cost is measured where it shows, on cold wake
    // (bench/README.md, P3). Vite's 500 kB notice on every build would say nothing new.
    chunkSizeWarningLimit: 2048,
  } as const;

  if (mode === 'pages') {
    return {
      ...common,
      plugins: [noRawHtml(), extensionManifest(browsers)],
      base: '/',
      // Copied by vite into every output folder (icons, _locales).
      publicDir: path.join(root, 'public'),
      build: {
        ...build,
        rolldownOptions: {
          input: {
            popup: path.join(root, 'src/popup/index.html'),
            approval: path.join(root, 'src/approval/index.html'),
          },
          output: outputs({ format: 'es' }),
        },
      },
    };
  }
  // Not vite's library mode: it would inline the crypto wasm into the worker as base64.
  return {
    ...common,
    // A classic script has no import.meta. The crypto package resolves its default wasm URL against
    // it when its module initialises: the worker's (or Firefox's background page's) own URL is in the
    // same folder, so the URL is the same. Vite's preload helper, which never preloads anything here
    // (no split chunks), then takes its branch without import.meta.resolve.
    define: { ...common.define, 'import.meta.url': 'self.location.href', 'import.meta.resolve': 'undefined' },
    build: {
      ...build,
      assetsInlineLimit: 0,
      rolldownOptions: {
        input: path.join(root, scriptEntry[mode]),
        output: outputs({
          format: 'iife',
          entryFileNames: `${mode}.js`,
          assetFileNames: 'assets/[name]-[hash][extname]',
          codeSplitting: false,
        }),
      },
    },
  };
});
