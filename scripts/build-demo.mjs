// Builds the demo widget (a real matrix-widget-api app) into dist/demo-widget.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = path.resolve(fileURLToPath(import.meta.url), '../..');
export const demoWidgetDir = path.join(root, 'dist/demo-widget');

export async function buildDemoWidget() {
  await build({
    root: path.join(root, 'demo/widget'),
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    base: './',
    build: { outDir: demoWidgetDir, emptyOutDir: true, target: 'es2022', sourcemap: false },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildDemoWidget();
  console.log(`built ${path.relative(root, demoWidgetDir)}`);
}
