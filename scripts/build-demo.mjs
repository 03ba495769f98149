// Builds the demo widget (a real matrix-widget-api app) into dist/demo-widget.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = path.resolve(fileURLToPath(import.meta.url), '../..');
export const demoWidgetDir = path.join(root, 'dist/demo-widget');
/** The in-page ClientWidgetApi host that `npm run bench` compares the extension with. */
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
        },
      },
    },
  });
  await build({
    ...common,
    root: path.join(root, 'demo/baseline-host'),
    build: { outDir: baselineHostDir, emptyOutDir: true, target: 'es2022', sourcemap: false },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildDemoWidget();
  console.log(`built ${path.relative(root, demoWidgetDir)} and ${path.relative(root, baselineHostDir)}`);
}
