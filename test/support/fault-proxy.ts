// A fault-injecting HTTP proxy in front of the real Synapse (issue #7), on 127.0.0.1: answers chosen
// requests with 429/5xx, resets their connection, or delays their response after Synapse handled them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'reset' }
  /** Synapse handles the request; its answer reaches the client only after `ms`. */
  | { kind: 'slowResponse'; ms: number }
  /** The request reaches Synapse only once `until` settles (what happens meanwhile is in its answer). */
  | { kind: 'heldRequest'; until: Promise<unknown> };

export type FaultProxy = {
  url: string;
  /** The next requests whose "METHOD /path" matches `pattern` get these faults, one each. */
  failNext(pattern: RegExp, ...faults: Fault[]): void;
  /** "METHOD /path" of every request that reached the proxy. */
  seen: string[];
  /** While down, every connection is reset, as if the homeserver were gone. */
  setDown(isDown: boolean): void;
  stop(): Promise<void>;
};

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const rules: { pattern: RegExp; faults: Fault[] }[] = [];
  const seen: string[] = [];
  let isDown = false;
  const server = http.createServer((request, response) => {
    if (isDown) {
      request.socket.destroy();
      return;
    }
    const line = `${request.method} ${(request.url ?? '').split('?')[0]}`;
    seen.push(line);
    const rule = rules.find((candidate) => candidate.pattern.test(line) && candidate.faults.length > 0);
    const fault = rule?.faults.shift();
    if (fault?.kind === 'reset') {
      request.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      const body = fault.body === undefined ? '' : typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body);
      response.writeHead(fault.status, { 'content-type': typeof fault.body === 'string' ? 'text/html' : 'application/json', ...fault.headers });
      response.end(body);
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The forward's own try/catch answers every outcome: nothing is left for the event emitter.
    request.on('end', () => void forward());
    const forward = async () => {
      if (fault?.kind === 'heldRequest') await fault.until.catch(() => undefined);
      const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name !== 'host' && name !== 'connection')) as Record<string, string>;
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      try {
        const upstream = await fetch(`${target}${request.url}`, { method: request.method, headers, body });
        const payload = Buffer.from(await upstream.arrayBuffer());
        if (fault?.kind === 'slowResponse') await new Promise((resolve) => setTimeout(resolve, fault.ms));
        if (response.destroyed) return;
        response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
        response.end(payload);
      } catch {
        response.destroy();
      }
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    failNext: (pattern, ...faults) => rules.push({ pattern, faults }),
    seen,
    setDown: (down) => {
      isDown = down;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
