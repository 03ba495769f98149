// Once per test run: build the extension and the demo widget, start one real Synapse and the demo
// site + widget servers (two origins), and hand their addresses to the tests.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildExtension } from '../../scripts/build.mjs';
import { baselineHostDir, buildDemoWidget, demoWidgetDir } from '../../scripts/build-demo.mjs';
import { startSynapse } from '../../scripts/synapse.mjs';
import { startDemoServers } from '../../demo/servers.mjs';

const root = path.resolve(import.meta.dirname, '../..');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!process.env['MWB_SKIP_BUILD']) {
    await buildExtension();
    await buildDemoWidget();
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mwb-synapse-'));
  const synapse = await startSynapse({ dataDir, port: undefined });
  const demo = await startDemoServers({ widgetDir: demoWidgetDir, baselineDir: baselineHostDir });
  project.provide('homeserverUrl', synapse.baseUrl);
  project.provide('registrationSecret', synapse.sharedSecret);
  project.provide('siteOrigin', demo.siteOrigin);
  project.provide('secondSiteOrigin', demo.secondSiteOrigin);
  project.provide('widgetOrigin', demo.widgetOrigin);
  project.provide('chromeExtensionDir', path.join(root, 'dist/chrome'));
  project.provide('firefoxExtensionDir', path.join(root, 'dist/firefox'));
  return async () => {
    await demo.stop();
    await synapse.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
