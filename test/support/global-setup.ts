// Once per test run: build the extension and the demo widget, start a real OpenID provider, the local
// MatrixRTC JWT service stand-in, one real Synapse that offers SSO through the provider and
// advertises the stand-in as its LiveKit transport, and the demo site + widget servers (two
// origins), and hand their addresses to the tests. Synapse stores on SQLite for the tests and on
// PostgreSQL for a bench-only run (docs/decisions/postgresql-for-the-bench.md);
// MWB_SYNAPSE_DATABASE=sqlite|postgres chooses for any run.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildExtension } from '../../scripts/build.mjs';
import { baselineHostDir, buildDemoWidget, demoWidgetDir } from '../../scripts/build-demo.mjs';
import { chromeRedirectUrl, firefoxRedirectUrl } from '../../scripts/extension-ids.mjs';
import { startLivekitJwtStandin } from '../../scripts/livekit-jwt-standin.mjs';
import { startOidcProvider } from '../../scripts/oidc-provider.mjs';
import { freePort, oidcCallbackUrl, startSynapse } from '../../scripts/synapse.mjs';
import { startDemoServers } from '../../demo/servers.mjs';

const root = path.resolve(import.meta.dirname, '../..');

function databaseFor(project: TestProject): 'sqlite' | 'postgres' {
  const chosen = process.env['MWB_SYNAPSE_DATABASE'];
  if (chosen === 'sqlite' || chosen === 'postgres') return chosen;
  if (chosen !== undefined) throw new Error(`MWB_SYNAPSE_DATABASE is "${chosen}": sqlite or postgres`);
  // vitest.projects holds the projects this run selected (`--project`).
  return project.vitest.projects.every((selected) => selected.name === 'bench') ? 'postgres' : 'sqlite';
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!process.env['MWB_SKIP_BUILD']) {
    await buildExtension();
    await buildDemoWidget();
  }
  const chromeExtensionDir = path.join(root, 'dist/chrome');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mwb-synapse-'));
  // The provider must know Synapse's callback URL, and Synapse the provider's issuer: the port first.
  const synapsePort = await freePort();
  const oidc = await startOidcProvider({ redirectUris: [oidcCallbackUrl(synapsePort)] });
  // It checks OpenID tokens with Synapse, and Synapse advertises its URL: the port first, again.
  const livekitJwt = await startLivekitJwtStandin({ homeserverUrl: `http://127.0.0.1:${synapsePort}` });
  const synapse = await startSynapse({
    dataDir,
    port: synapsePort,
    database: databaseFor(project),
    oidc,
    livekitServiceUrl: livekitJwt.url,
    // The test browsers' extension redirect URLs: SSO returns there without Synapse's confirmation page.
    ssoClientWhitelist: [chromeRedirectUrl(chromeExtensionDir), firefoxRedirectUrl()],
  }).catch(async (error: unknown) => {
    // or their open servers keep the test run from exiting
    await oidc.stop();
    await livekitJwt.stop();
    throw error;
  });
  const demo = await startDemoServers({ widgetDir: demoWidgetDir, baselineDir: baselineHostDir });
  project.provide('homeserverUrl', synapse.baseUrl);
  project.provide('registrationSecret', synapse.sharedSecret);
  project.provide('homeserverDatabase', synapse.database);
  project.provide('livekitServiceUrl', livekitJwt.url);
  project.provide('siteOrigin', demo.siteOrigin);
  project.provide('secondSiteOrigin', demo.secondSiteOrigin);
  project.provide('widgetOrigin', demo.widgetOrigin);
  project.provide('chromeExtensionDir', chromeExtensionDir);
  project.provide('firefoxExtensionDir', path.join(root, 'dist/firefox'));
  return async () => {
    await demo.stop();
    await synapse.stop();
    await oidc.stop();
    await livekitJwt.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
