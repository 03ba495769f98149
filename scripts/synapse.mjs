// The project's own Synapse: a pinned matrix-synapse in a project-local virtualenv, configured for
// local use (SQLite, or PostgreSQL on the project's own cluster: scripts/postgres.mjs; one listener on 127.0.0.1 serving the client API and the federation OpenID
// userinfo endpoint a MatrixRTC JWT service checks tokens with, registration by shared secret, relaxed rate limits,
// delayed and sticky events, optionally SSO through an upstream OpenID provider). Used by `npm start`
// and by the test runner's global setup.
import { spawn, spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';
import { createSynapseDatabase } from './postgres.mjs';

export { freePort };

export const SYNAPSE_VERSION = '1.163.2';
/**
 * Synapse's PostgreSQL driver. As the wheel (`psycopg2-binary`, libpq included) rather than the
 * `postgres` extra, whose `psycopg2` is a source package that needs a compiler and libpq's headers.
 */
export const PSYCOPG2_VERSION = '2.9.13';
const root = path.resolve(fileURLToPath(import.meta.url), '../..');
export const venvDir = path.join(root, '.cache/synapse-venv');
const python = path.join(venvDir, 'bin/python');

/** Creates the virtualenv and installs the pinned Synapse, unless it is already there. */
export function ensureSynapseVenv() {
  // The `oidc` extra (authlib) is what Synapse needs to log users in through an OpenID provider;
  // psycopg2 what it needs to store on PostgreSQL.
  const versions = 'import importlib.metadata as m, authlib, psycopg2; print(m.version("matrix-synapse"), m.version("psycopg2-binary"))';
  const check = existsSync(python) ? spawnSync(python, ['-c', versions], { encoding: 'utf8' }) : undefined;
  if (check?.status === 0 && check.stdout.trim() === `${SYNAPSE_VERSION} ${PSYCOPG2_VERSION}`) return;
  const packages = [`matrix-synapse[oidc]==${SYNAPSE_VERSION}`, `psycopg2-binary==${PSYCOPG2_VERSION}`];
  console.log(`[synapse] installing ${packages.join(' ')} into ${path.relative(root, venvDir)} …`);
  if (!existsSync(python)) run('python3', ['-m', 'venv', venvDir]);
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...packages]);
}

/** `quiet`: its output is shown only when it fails (key generation says nothing a user needs). */
function run(command, args, { quiet = false } = {}) {
  const result = spawnSync(command, args, { stdio: quiet ? 'pipe' : 'inherit', encoding: 'utf8' });
  if (result.status === 0) return;
  if (quiet) process.stderr.write(`${result.stdout}${result.stderr}`);
  throw new Error(`${command} ${args.join(' ')} failed with ${result.status}`);
}

const GENEROUS = { per_second: 10000, burst_count: 10000 };

/** The IdP id clients see: Synapse prefixes the configured `idp_id` of an OIDC provider with `oidc-`. */
export const LOCAL_IDP_ID = 'oidc-local';
export const LOCAL_IDP_NAME = 'Local OpenID';

/**
 * SSO through an upstream OpenID provider (`oidc`: { issuer, clientId, clientSecret }), or nothing.
 * `clientWhitelist` lists redirect URLs Synapse sends a login token to without first showing its
 * "Continue to your account" page; it matches them as prefixes (`str.startswith`), so each entry
 * ends with `/` after the host.
 */
function ssoConfig(oidc, clientWhitelist) {
  if (!oidc) return {};
  return {
    oidc_providers: [
      {
        idp_id: LOCAL_IDP_ID.replace(/^oidc-/, ''),
        idp_name: LOCAL_IDP_NAME,
        issuer: oidc.issuer,
        client_id: oidc.clientId,
        client_secret: oidc.clientSecret,
        scopes: ['openid', 'profile'],
        // The issuer is plain http on loopback; discovery checks would demand https.
        skip_verification: true,
        user_mapping_provider: {
          config: { localpart_template: '{{ user.preferred_username }}', display_name_template: '{{ user.name }}' },
        },
      },
    ],
    sso: { client_whitelist: clientWhitelist },
  };
}

/**
 * Authentication delegated to the Matrix Authentication Service at `mas.endpoint` (Synapse's own
 * integration; the tests use scripts/mas-stand-in.mjs), or nothing. Synapse then refuses password
 * login, registration and SSO of its own.
 */
function masConfig(mas) {
  if (!mas) return {};
  return {
    matrix_authentication_service: { enabled: true, endpoint: mas.endpoint, secret: mas.secret },
    password_config: { enabled: false },
  };
}

/** Where Synapse's OIDC login returns to from the provider (the client's redirect URI there). */
export function oidcCallbackUrl(port) {
  return `http://127.0.0.1:${port}/_synapse/client/oidc/callback`;
}

/** Synapse's `database` section: SQLite in `dataDir`, or PostgreSQL with `postgres`'s connection arguments. */
function databaseConfig(dataDir, postgres) {
  if (postgres) return { name: 'psycopg2', args: { ...postgres.args, cp_min: 5, cp_max: 10 } };
  return { name: 'sqlite3', args: { database: path.join(dataDir, 'homeserver.db') } };
}

function configYaml({ dataDir, port, serverName, sharedSecret, oidc, ssoClientWhitelist, mas, livekitServiceUrl, postgres }) {
  // JSON is valid YAML, so the config is written as JSON: no YAML library needed.
  return JSON.stringify(
    {
      server_name: serverName,
      // An explicit public_baseurl also makes Synapse serve `/.well-known/matrix/client` naming it
      // (`serve_client_wellknown`), which is what Matrix clients discover a homeserver by.
      public_baseurl: `http://127.0.0.1:${port}/`,
      serve_client_wellknown: true,
      pid_file: path.join(dataDir, 'homeserver.pid'),
      listeners: [
        { port, bind_addresses: ['127.0.0.1'], type: 'http', tls: false, x_forwarded: false, resources: [{ names: ['client', 'openid'], compress: false }] },
      ],
      database: databaseConfig(dataDir, postgres),
      log_config: path.join(dataDir, 'log.config'),
      media_store_path: path.join(dataDir, 'media'),
      signing_key_path: path.join(dataDir, 'signing.key'),
      registration_shared_secret: sharedSecret,
      macaroon_secret_key: randomBytes(24).toString('hex'),
      form_secret: randomBytes(24).toString('hex'),
      report_stats: false,
      enable_registration: false,
      trusted_key_servers: [],
      suppress_key_server_warning: true,
      federation_domain_whitelist: [],
      presence: { enabled: false },
      url_preview_enabled: false,
      max_event_delay_duration: '24h',
      // MSC4354 sticky events (the widget capabilities of MSC4407 act on them), and MSC4143's
      // /rtc/transports with one LiveKit transport: the local JWT stand-in
      // (scripts/livekit-jwt-standin.mjs) when given; no LiveKit SFU runs in either case.
      experimental_features: { msc4354_enabled: true, msc4143_enabled: true },
      matrix_rtc: { transports: [{ type: 'livekit', livekit_service_url: livekitServiceUrl ?? 'https://livekit-jwt.invalid' }] },
      // TURN credentials for widgets that place calls (no TURN server runs: the endpoint is what is tested).
      turn_uris: ['turn:127.0.0.1:3478?transport=udp'],
      turn_shared_secret: randomBytes(16).toString('hex'),
      turn_user_lifetime: '1h',
      rc_message: GENEROUS,
      rc_registration: GENEROUS,
      rc_registration_token_validity: GENEROUS,
      rc_login: { address: GENEROUS, account: GENEROUS, failed_attempts: GENEROUS },
      rc_admin_redaction: GENEROUS,
      rc_joins: { local: GENEROUS, remote: GENEROUS },
      rc_joins_per_room: GENEROUS,
      rc_invites: { per_room: GENEROUS, per_user: GENEROUS, per_issuer: GENEROUS },
      rc_3pid_validation: GENEROUS,
      rc_room_creation: GENEROUS,
      rc_delayed_event_mgmt: GENEROUS,
      ...ssoConfig(oidc, ssoClientWhitelist),
      ...masConfig(mas),
    },
    null,
    2,
  );
}

const LOG_CONFIG = JSON.stringify({
  version: 1,
  formatters: { precise: { format: '%(asctime)s %(levelname)s %(name)s %(message)s' } },
  handlers: { console: { class: 'logging.StreamHandler', formatter: 'precise' } },
  // synapse.config.logger announces every start (version, copyright) at WARNING: not worth a line.
  loggers: { synapse: { level: 'WARNING' }, 'synapse.storage.SQL': { level: 'WARNING' }, 'synapse.config.logger': { level: 'ERROR' } },
  root: { level: 'WARNING', handlers: ['console'] },
  disable_existing_loggers: false,
});

/**
 * `python -m synapse.app.homeserver`, except that authlib's notice of its own deprecation (Synapse's
 * OIDC support imports authlib.jose) is not printed on every start: nothing here can act on it, it is
 * Synapse's to move. authlib sets its warning to "always" when imported, so the filter must come after
 * that import, which an environment variable cannot do.
 */
const START_WITHOUT_AUTHLIB_NOTICE = [
  'import runpy, warnings',
  'from authlib.deprecate import AuthlibDeprecationWarning',
  "warnings.filterwarnings('ignore', category=AuthlibDeprecationWarning)",
  "runpy.run_module('synapse.app.homeserver', run_name='__main__', alter_sys=True)",
].join('\n');

/**
 * Starts Synapse on a free (or given) port with its data in `dataDir`. Resolves once the client
 * API answers. `stop()` ends it. With `oidc` ({ issuer, clientId, clientSecret }) it offers SSO
 * through that provider (whose client must allow `oidcCallbackUrl(port)`); `ssoClientWhitelist`
 * lists the redirect URLs it trusts (see `ssoConfig`). With `mas` ({ endpoint, secret }) it delegates
 * authentication instead (see `masConfig`). `livekitServiceUrl` is the MatrixRTC JWT service its
 * `/rtc/transports` advertises (scripts/livekit-jwt-standin.mjs). `database` is where it stores:
 * `sqlite` (a file in `dataDir`, the default) or `postgres` (a fresh database on the project's
 * cluster, scripts/postgres.mjs, dropped by `stop()`). `serverName` is the name in its users' Matrix
 * IDs: `localhost` unless given (a data dir keeps the name it was created with). A client finds
 * this Synapse from a Matrix ID only when the name is `localhost:<port>` (or `127.0.0.1:<port>`): the
 * `.well-known/matrix/client` it serves is on its own port.
 * @param {{ dataDir: string, port?: number, serverName?: string, sharedSecret?: string, livekitServiceUrl?: string,
 *   oidc?: { issuer: string, clientId: string, clientSecret: string }, ssoClientWhitelist?: string[],
 *   mas?: { endpoint: string, secret: string }, database?: 'sqlite' | 'postgres' }} options
 */
export async function startSynapse({
  dataDir,
  port = undefined,
  serverName = 'localhost',
  sharedSecret = randomBytes(16).toString("hex"),
  oidc = undefined,
  ssoClientWhitelist = [],
  mas = undefined,
  livekitServiceUrl = undefined,
  database = 'sqlite',
}) {
  ensureSynapseVenv();
  if (database !== 'sqlite' && database !== 'postgres') throw new Error(`unknown database "${database}" (sqlite or postgres)`);
  const postgres = database === 'postgres' ? await createSynapseDatabase() : undefined;
  try {
    return await runSynapse({ dataDir, port, serverName, sharedSecret, oidc, ssoClientWhitelist, mas, livekitServiceUrl, postgres });
  } catch (error) {
    await postgres?.drop();
    throw error;
  }
}

async function runSynapse({ dataDir, port, serverName, sharedSecret, oidc, ssoClientWhitelist, mas, livekitServiceUrl, postgres }) {
  const listenPort = port ?? (await freePort());
  await mkdir(path.join(dataDir, 'media'), { recursive: true });
  const configPath = path.join(dataDir, 'homeserver.yaml');
  await writeFile(configPath, configYaml({ dataDir, port: listenPort, serverName, sharedSecret, oidc, ssoClientWhitelist, mas, livekitServiceUrl, postgres }));
  await writeFile(path.join(dataDir, 'log.config'), LOG_CONFIG);
  if (!existsSync(path.join(dataDir, 'signing.key'))) {
    run(python, ['-m', 'synapse.app.homeserver', '-c', configPath, '--generate-keys'], { quiet: true });
  }
  const child = spawn(python, ['-c', START_WITHOUT_AUTHLIB_NOTICE, '-c', configPath], {
    cwd: dataDir,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${listenPort}`;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`synapse exited with ${child.exitCode} during startup`);
    try {
      const response = await fetch(`${baseUrl}/_matrix/client/versions`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('synapse did not start within 60 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    baseUrl,
    port: listenPort,
    sharedSecret,
    /** The Synapse process. */
    pid: child.pid,
    /** `sqlite`, or `postgres <major version>`. */
    database: postgres ? `postgres ${postgres.version}` : 'sqlite',
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await postgres?.drop();
    },
  };
}

/** Registers a user through the admin shared-secret API; returns its login response. */
export async function registerUser(baseUrl, sharedSecret, username, password, { admin = false } = {}) {
  const endpoint = `${baseUrl}/_synapse/admin/v1/register`;
  const { nonce } = await (await fetch(endpoint)).json();
  const mac = createHmac('sha1', sharedSecret)
    .update(`${nonce}\0${username}\0${password}\0${admin ? 'admin' : 'notadmin'}`)
    .digest('hex');
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nonce, username, password, admin, mac }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`registering ${username} failed: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** Stops a Synapse started with `dataDir` by another process (its pid file), if it runs. */
export async function stopSynapse(dataDir) {
  let pid;
  try {
    pid = Number((await readFile(path.join(dataDir, 'homeserver.pid'), 'utf8')).trim());
    process.kill(pid, 'SIGTERM');
  } catch {
    return false;
  }
  for (let waited = 0; waited < 10_000; waited += 200) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  process.kill(pid, 'SIGKILL');
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, dataDir = path.join(root, '.cache/synapse-local'), database = 'sqlite'] = process.argv.slice(2);
  if (command === 'install') {
    ensureSynapseVenv();
  } else if (command === 'start') {
    // Foreground: Ctrl-C (or `node scripts/synapse.mjs stop`) ends it.
    const server = await startSynapse({ dataDir: path.resolve(dataDir), port: undefined, database });
    console.log(`synapse on ${server.baseUrl} (${server.database}), data in ${dataDir}, registration secret ${server.sharedSecret}`);
    process.on('SIGINT', () => void server.stop().then(() => process.exit(0)));
    process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
  } else if (command === 'stop') {
    console.log((await stopSynapse(path.resolve(dataDir))) ? 'stopped' : 'not running');
  } else {
    console.log('usage: node scripts/synapse.mjs install | start [dataDir] [sqlite|postgres] | stop [dataDir]');
  }
}
