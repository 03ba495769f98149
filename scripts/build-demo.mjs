// Builds the demo widget (a real matrix-widget-api app) into dist/demo-widget.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = path.resolve(fileURLToPath(import.meta.url), '../..');
export const demoWidgetDir = path.join(root, 'dist/demo-widget');
/** The baselines `npm run bench` compares the extension with: an in-page ClientWidgetApi host (P1), a plain js-sdk client page (P2). */
export const baselineHostDir = path.join(root, 'dist/demo-baseline');

export async function buildDemoWidget() {
  const common = { configFile: false, logLevel: 'warn', publicDir: false, base: './' };
  await build({
    ...common,
    root: path.join(root, 'demo/widget'),
    build: {
      outDir: demoWidgetDir,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      rolldownOptions: {
        input: {
          index: path.join(root, 'demo/widget/index.html'),
          bench: path.join(root, 'demo/widget/bench.html'),
          conformance: path.join(root, 'demo/widget/conformance.html'),
          race: path.join(root, 'demo/widget/race.html'),
        },
      },
    },
  });
  // The toolkit widget (issue #14), under the widget origin's /toolkit/: after the build above, which
  // empties the whole directory.
  await build({
    ...common,
    root: path.join(root, 'demo/toolkit-widget'),
    build: { outDir: path.join(demoWidgetDir, 'toolkit'), emptyOutDir: true, target: 'es2022', sourcemap: false },
  });
  await build({
    ...common,
    root: path.join(root, 'demo/baseline-host'),
    // matrix-js-sdk reads process.env.NODE_ENV, which a page does not have.
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      outDir: baselineHostDir,
      emptyOutDir: true,
      // The js-sdk client is one large chunk by nature; the warning would only be noise in test logs.
      chunkSizeWarningLimit: 4096,
      target: 'es2022',
      sourcemap: false,
      rolldownOptions: {
        input: {
          index: path.join(root, 'demo/baseline-host/index.html'),
          client: path.join(root, 'demo/baseline-host/client.html'),
        },
      },
    },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildDemoWidget();
  console.log(`built ${path.relative(root, demoWidgetDir)} and ${path.relative(root, baselineHostDir)}`);
}
