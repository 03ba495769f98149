// A pass-through HTTP proxy in front of the real Synapse that counts the bytes of its answers (bench
// P5: bytes synced). Headers and bodies go through unchanged (CORS included, so pages can use it);
// nothing is buffered, decoded or altered.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const SYNC = /^\/_matrix\/client\/(?:v3|r0)\/sync(?:\?|$)/;

export type CountingProxy = {
  url: string;
  /** Body bytes of /sync answers so far, as the homeserver sent them. */
  syncBytes(): number;
  /** Body bytes of every answer so far. */
  allBytes(): number;
  stop(): Promise<void>;
};

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  let syncBytes = 0;
  let allBytes = 0;
  const server = http.createServer((request, response) => {
    const isSync = SYNC.test(request.url ?? '');
    const forwarded = http.request(
      { host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: { ...request.headers, host: upstream.host } },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.on('data', (chunk: Buffer) => {
          allBytes += chunk.length;
          if (isSync) syncBytes += chunk.length;
        });
        answer.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    // A client that gives up (an aborted long poll) ends the request upstream too.
    response.on('close', () => forwarded.destroy());
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    syncBytes: () => syncBytes,
    allBytes: () => allBytes,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
