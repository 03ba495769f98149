// The popup's status channel survives a stopped background: it connects again and says to look again.
import { describe, expect, it } from 'vitest';
import type { Runtime } from 'webextension-polyfill';
import { openStatusChannel } from '../../src/popup/status-channel';

type FakePort = { port: Runtime.Port; post(message: unknown): void; disconnect(): void };

function fakePort(): FakePort {
  const onMessage = new Set<(message: unknown) => void>();
  const onDisconnect = new Set<() => void>();
  const port = {
    onMessage: { addListener: (listener: (message: unknown) => void) => onMessage.add(listener) },
    onDisconnect: { addListener: (listener: () => void) => onDisconnect.add(listener) },
  } as unknown as Runtime.Port;
  return {
    port,
    post: (message) => onMessage.forEach((listener) => listener(message)),
    disconnect: () => onDisconnect.forEach((listener) => listener()),
  };
}

describe('openStatusChannel', () => {
  it('tells on a status change, ignores anything else on the port', () => {
    const ports: FakePort[] = [];
    const channel = openStatusChannel(() => (ports.push(fakePort()), ports.at(-1)!.port));
    let told = 0;
    channel.subscribe(() => told++);
    ports[0]!.post({ kind: 'statusChanged' });
    ports[0]!.post({ kind: 'somethingElse' });
    ports[0]!.post('statusChanged');
    expect(told).toBe(1);
  });

  it('connects again when the background stopped, tells at once, and hears the new port', () => {
    const ports: FakePort[] = [];
    const channel = openStatusChannel(() => (ports.push(fakePort()), ports.at(-1)!.port));
    let told = 0;
    channel.subscribe(() => told++);
    ports[0]!.disconnect();
    expect(ports).toHaveLength(2);
    expect(told).toBe(1);
    ports[1]!.post({ kind: 'statusChanged' });
    expect(told).toBe(2);
  });

  it('stops telling a listener that unsubscribed', () => {
    const ports: FakePort[] = [];
    const channel = openStatusChannel(() => (ports.push(fakePort()), ports.at(-1)!.port));
    let told = 0;
    const stop = channel.subscribe(() => told++);
    stop();
    ports[0]!.post({ kind: 'statusChanged' });
    expect(told).toBe(0);
  });
});
