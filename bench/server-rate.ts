// S0 in `npm run bench`: the homeserver's sustained send rate, so that every load figure can be read
// against what the server takes (issue #17). A fresh Synapse per database, configured as the run's
// own (scripts/synapse.mjs), both running at once, no browser: `senders` users in Node, each with one plain HTTP
// `PUT /rooms/…/send` in flight at a time, sending again the moment the server answers, so the
// server always has `senders` sends to work on. Counted: the sends it acknowledged (200 with an
// event id) within `seconds`, after `warmUpSeconds` that are not counted. Twice per database: all
// senders in one room (P6's shape: Synapse creates a room's events one at a time) and a room each.
// Also read: the CPU time the Synapse process used over the counted seconds (/proc), which says
// whether the server was waiting on its database or busy itself.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { registerUser, startSynapse } from '../scripts/synapse.mjs';

export type SendRate = {
  database: string;
  rooms: 'one room' | 'a room each';
  senders: number;
  seconds: number;
  acknowledged: number;
  perSecond: number;
  /** Synapse's CPU time over the counted seconds, as a share of one core (1 = one core busy throughout). */
  synapseCpu: number;
};

type Sender = { accessToken: string; roomId: string };

async function call<T>(baseUrl: string, accessToken: string, method: string, apiPath: string, body: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}/_matrix/client/v3${apiPath}`, {
    method,
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${apiPath}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

async function createRoom(baseUrl: string, accessToken: string, name: string): Promise<string> {
  const { room_id: roomId } = await call<{ room_id: string }>(baseUrl, accessToken, 'POST', '/createRoom', { name, preset: 'public_chat' });
  return roomId;
}

/** Sends as fast as the server answers until `until` (performance.now()); returns the answer times of acknowledged sends. */
async function sendUntil(baseUrl: string, sender: Sender, until: number): Promise<number[]> {
  const answered: number[] = [];
  const prefix = randomBytes(6).toString('hex');
  for (let index = 0; performance.now() < until; index++) {
    const { event_id: eventId } = await call<{ event_id?: string }>(
      baseUrl,
      sender.accessToken,
      'PUT',
      `/rooms/${encodeURIComponent(sender.roomId)}/send/m.room.message/${prefix}-${index}`,
      { msgtype: 'm.text', body: `S0 ${index}` },
    );
    if (typeof eventId !== 'string') throw new Error('a send was answered without an event id');
    answered.push(performance.now());
  }
  return answered;
}

/** The process's user + system CPU time in seconds (/proc/<pid>/stat, in clock ticks of 1/100 s on Linux). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function measureOn(baseUrl: string, synapsePid: number, senders: Sender[], seconds: number, warmUpSeconds: number) {
  const start = performance.now();
  const from = start + warmUpSeconds * 1000;
  const to = from + seconds * 1000;
  const cpu = new Promise<number>((resolve, reject) => {
    setTimeout(() => {
      void cpuSeconds(synapsePid).then((before) => {
        setTimeout(() => void cpuSeconds(synapsePid).then((after) => resolve((after - before) / seconds), reject), to - performance.now());
      }, reject);
    }, from - start);
  }).catch(() => Number.NaN);
  const answers = (await Promise.all(senders.map((sender) => sendUntil(baseUrl, sender, to)))).flat();
  return { acknowledged: answers.filter((time) => time >= from && time < to).length, synapseCpu: await cpu };
}

/**
 * The sustained send rate into one room of a running homeserver (the run's own, with the browsers up),
 * from `senders` (access tokens of members of `roomId`), each with one send in flight.
 */
export async function sustainedRateInRoom(baseUrl: string, accessTokens: readonly string[], roomId: string, seconds: number, warmUpSeconds: number): Promise<number> {
  // No process id for a server this module did not start: its CPU share is not read.
  const { acknowledged } = await measureOn(baseUrl, Number.NaN, accessTokens.map((accessToken) => ({ accessToken, roomId })), seconds, warmUpSeconds);
  return acknowledged / seconds;
}

type Prepared = { database: string; baseUrl: string; pid: number; users: { access_token: string }[]; shared: string; own: string[]; stop(): Promise<void> };

/** A fresh Synapse on `database` with `senders` users in one shared room, and a room of each one's own. */
async function prepare(database: 'sqlite' | 'postgres', senders: number): Promise<Prepared> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `mwb-synapse-s0-${database}-`));
  const synapse = await startSynapse({ dataDir, database });
  const stop = async () => {
    await synapse.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const users: { access_token: string }[] = [];
    for (let index = 0; index < senders; index++) {
      users.push((await registerUser(synapse.baseUrl, synapse.sharedSecret, `s0-${index}-${randomBytes(3).toString('hex')}`, `pw-${randomBytes(8).toString('hex')}`)) as { access_token: string });
    }
    const shared = await createRoom(synapse.baseUrl, users[0]!.access_token, 'S0 shared room');
    for (const user of users.slice(1)) await call(synapse.baseUrl, user.access_token, 'POST', `/join/${encodeURIComponent(shared)}`, {});
    const own = await Promise.all(users.map((user, index) => createRoom(synapse.baseUrl, user.access_token, `S0 room ${index}`)));
    return { database: synapse.database, baseUrl: synapse.baseUrl, pid: synapse.pid as number, users, shared, own, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * S0 on each of `databases`: a fresh Synapse each (both running, one sending at a time), measured in
 * `rounds` alternating rounds (the order flips each round, so a busy moment of a shared machine does
 * not fall on one database only); per database and room shape, the acknowledged sends of all rounds
 * over their seconds, and the lowest and highest round.
 */
export async function measureSendRates(
  databases: readonly ('sqlite' | 'postgres')[],
  { senders, seconds, warmUpSeconds, rounds }: { senders: number; seconds: number; warmUpSeconds: number; rounds: number },
): Promise<(SendRate & { rounds: number[] })[]> {
  const servers: Prepared[] = [];
  try {
    for (const database of databases) servers.push(await prepare(database, senders));
    const measured = new Map<string, { server: Prepared; rooms: SendRate['rooms']; counts: number[]; cpu: number[] }>();
    for (let round = 0; round < rounds; round++) {
      for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
        for (const [rooms, roomOf] of [
          ['one room', () => server.shared],
          ['a room each', (index: number) => server.own[index]!],
        ] as const) {
          const { acknowledged, synapseCpu } = await measureOn(
            server.baseUrl,
            server.pid,
            server.users.map((user, index) => ({ accessToken: user.access_token, roomId: roomOf(index) })),
            seconds,
            warmUpSeconds,
          );
          const key = `${server.database} ${rooms}`;
          const entry = measured.get(key) ?? { server, rooms, counts: [], cpu: [] };
          entry.counts.push(acknowledged);
          entry.cpu.push(synapseCpu);
          measured.set(key, entry);
        }
      }
    }
    return [...measured.values()].map(({ server, rooms, counts, cpu }) => {
      const acknowledged = counts.reduce((sum, value) => sum + value, 0);
      return {
        database: server.database,
        rooms,
        senders,
        seconds: seconds * counts.length,
        acknowledged,
        perSecond: acknowledged / (seconds * counts.length),
        synapseCpu: cpu.reduce((sum, value) => sum + value, 0) / cpu.length,
        rounds: counts.map((count) => count / seconds),
      };
    });
  } finally {
    for (const server of servers) await server.stop();
  }
}
