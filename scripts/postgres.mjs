// The project's own PostgreSQL, for Synapse shaped like production: Debian's `postgresql` server
// binaries (installed by scripts/system-packages.mjs), one cluster in `.cache/postgres` that the
// harness creates (initdb) and starts itself, as the unprivileged `postgres` user when run as root
// (PostgreSQL refuses to run as root), listening on 127.0.0.1 on a free port, with a password. Each
// Synapse gets a fresh database (C collation, as Synapse requires) that is dropped when it stops; the
// server is stopped by the process that started it once no Synapse database is left.
// Uses nothing but Node built-ins.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';

const root = path.resolve(fileURLToPath(import.meta.url), '../..');
export const clusterDir = path.join(root, '.cache/postgres');
const dataDir = path.join(clusterDir, 'data');
const logFile = path.join(clusterDir, 'server.log');
const passwordFile = path.join(clusterDir, 'password');
const initializedMark = path.join(clusterDir, '.mwb-initialized');
const SUPERUSER = 'mwb';
const HOST = '127.0.0.1';
/** Synapse's databases here are named `synapse_<pid of the process that made it>_<random>`. */
const DATABASE_PREFIX = 'synapse_';

/**
 * Debian installs the server binaries per major version under /usr/lib/postgresql/<version>/bin,
 * off PATH. The cluster's own version when it exists, else the newest installed; undefined if none.
 */
export function postgresBinDir() {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base).filter((version) => existsSync(path.join(base, version, 'bin/initdb'))).sort((a, b) => Number(b) - Number(a))
    : [];
  const clusterVersion = existsSync(path.join(dataDir, 'PG_VERSION')) ? readFileSync(path.join(dataDir, 'PG_VERSION'), 'utf8').trim() : undefined;
  const version = clusterVersion !== undefined && versions.includes(clusterVersion) ? clusterVersion : versions[0];
  return version === undefined ? undefined : path.join(base, version, 'bin');
}

function binDir() {
  const dir = postgresBinDir();
  if (dir === undefined) throw new Error('PostgreSQL is not installed (Debian package "postgresql"): run `node scripts/bootstrap.mjs`');
  return dir;
}

/** Who runs the server: ourselves, or the `postgres` system user (Debian's package creates it) when we are root. */
function serverUser() {
  if (process.getuid?.() !== 0) return {};
  const id = (flag) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) throw new Error('running as root, and there is no "postgres" user to run PostgreSQL as (Debian\'s postgresql package creates it)');
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Runs a server binary as the server's user; returns its result, throwing with its output when `check`. */
function asServerUser(binary, args, { check = true } = {}) {
  const result = spawnSync(path.join(binDir(), binary), args, { ...serverUser(), cwd: clusterDir, encoding: 'utf8' });
  if (check && result.status !== 0) {
    throw new Error(`${binary} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout || result.error?.message}`);
  }
  return result;
}

function giveToServerUser(file) {
  const { uid, gid } = serverUser();
  if (uid !== undefined) chownSync(file, uid, gid);
}

/** Creates the cluster once (initdb); a half-made one (no mark) is made again. */
function ensureCluster() {
  mkdirSync(clusterDir, { recursive: true });
  if (existsSync(initializedMark) && existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  console.log(`[postgres] creating a cluster in ${path.relative(root, dataDir)} …`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { mode: 0o700 });
  giveToServerUser(dataDir);
  const user = serverUser();
  if (user.uid !== undefined && spawnSync('test', ['-w', dataDir], user).status !== 0) {
    throw new Error(`the postgres user cannot reach ${dataDir}: every directory above it must be searchable by others (chmod o+x)`);
  }
  const password = randomBytes(18).toString('hex');
  writeFileSync(passwordFile, password, { mode: 0o600 });
  // initdb reads the password from a file, as the server's user: a copy it may read, removed after.
  const initPasswordFile = path.join(clusterDir, 'initdb-password');
  writeFileSync(initPasswordFile, password, { mode: 0o600 });
  giveToServerUser(initPasswordFile);
  try {
    asServerUser('initdb', [
      '--pgdata', dataDir,
      '--username', SUPERUSER,
      '--pwfile', initPasswordFile,
      '--auth', 'scram-sha-256',
      '--encoding', 'UTF8',
      '--locale', 'C',
    ]);
  } finally {
    rmSync(initPasswordFile, { force: true });
  }
  writeFileSync(initializedMark, new Date().toISOString());
}

/** The running server's port (postmaster.pid's fourth line), or undefined when it does not run. */
function runningPort() {
  if (!existsSync(path.join(dataDir, 'postmaster.pid'))) return undefined;
  if (asServerUser('pg_ctl', ['status', '--pgdata', dataDir], { check: false }).status !== 0) return undefined;
  const port = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[3]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

let startedHere = false;

/** Starts the cluster's server unless it runs (perhaps started by another process); returns its port. */
async function ensureServer() {
  ensureCluster();
  const running = runningPort();
  if (running !== undefined) return running;
  const port = await freePort(HOST);
  if (!existsSync(logFile)) writeFileSync(logFile, '');
  giveToServerUser(logFile);
  const started = asServerUser(
    'pg_ctl',
    ['start', '--pgdata', dataDir, '--log', logFile, '--wait', '--timeout', '60', '-o', `-p ${port} -c listen_addresses=${HOST} -c unix_socket_directories=''`],
    { check: false },
  );
  if (started.status !== 0) {
    // Another process may have started it at the same moment.
    const other = runningPort();
    if (other !== undefined) return other;
    throw new Error(`PostgreSQL did not start (${path.relative(root, logFile)} says why): ${started.stderr || started.stdout}`);
  }
  startedHere = true;
  return port;
}

function psql(port, sql) {
  const result = spawnSync(
    path.join(binDir(), 'psql'),
    ['--host', HOST, '--port', String(port), '--username', SUPERUSER, '--dbname', 'postgres', '--no-psqlrc', '--quiet', '--tuples-only', '--no-align', '-v', 'ON_ERROR_STOP=1', '--command', sql],
    { encoding: 'utf8', env: { ...process.env, PGPASSWORD: readFileSync(passwordFile, 'utf8').trim(), PGCONNECT_TIMEOUT: '10' } },
  );
  if (result.status !== 0) throw new Error(`psql "${sql}" failed: ${result.stderr || result.error?.message}`);
  return result.stdout.trim();
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Synapse databases whose maker is gone (a killed run): dropped, so they neither pile up nor keep the server running. */
function dropStaleDatabases(port) {
  const names = psql(port, `SELECT datname FROM pg_database WHERE datname LIKE '${DATABASE_PREFIX}%'`).split('\n').filter(Boolean);
  for (const name of names) {
    const pid = Number(name.slice(DATABASE_PREFIX.length).split('_')[0]);
    if (!isAlive(pid)) psql(port, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

function postgresVersion() {
  return path.basename(path.dirname(binDir()));
}

/**
 * A fresh, empty database for one Synapse, on the project's cluster (started if need be), and the
 * connection arguments for Synapse's `psycopg2` engine. `drop()` removes it once Synapse has stopped,
 * and stops the server if this process started it and no other Synapse database is left.
 */
export async function createSynapseDatabase() {
  const port = await ensureServer();
  dropStaleDatabases(port);
  const database = `${DATABASE_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  // Synapse refuses a database whose collation is not C; template0 lets us choose it.
  psql(port, `CREATE DATABASE "${database}" ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
  return {
    version: postgresVersion(),
    args: { user: SUPERUSER, password: readFileSync(passwordFile, 'utf8').trim(), database, host: HOST, port },
    async drop() {
      psql(port, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      if (startedHere && psql(port, `SELECT count(*) FROM pg_database WHERE datname LIKE '${DATABASE_PREFIX}%'`) === '0') stopPostgres();
    },
  };
}

/** Stops the cluster's server if it runs (`node scripts/postgres.mjs stop`). */
export function stopPostgres() {
  if (runningPort() === undefined) return false;
  asServerUser('pg_ctl', ['stop', '--pgdata', dataDir, '--mode', 'fast', '--wait', '--timeout', '30']);
  startedHere = false;
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command] = process.argv.slice(2);
  if (command === 'start') {
    console.log(`PostgreSQL ${postgresVersion()} on ${HOST}:${await ensureServer()}, data in ${path.relative(root, dataDir)}`);
  } else if (command === 'stop') {
    console.log(stopPostgres() ? 'stopped' : 'not running');
  } else {
    console.log('usage: node scripts/postgres.mjs start | stop');
  }
}
