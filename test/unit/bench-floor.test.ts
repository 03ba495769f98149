// The bench's P1 floor (bench/bare-relay, plain JS the browsers load unbuilt, so it cannot import the
// extension's list) must answer with the same bytes the extension does, or the ratio compares
// different payloads. Runs the floor's background script against a stand-in `chrome.runtime`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_VERSIONS } from '../../src/background/widgets/actions/action-router';

type Port = { onMessage: { addListener: (listener: (message: unknown) => void) => void }; postMessage: (message: unknown) => void };

describe('the bench floor', () => {
  it('answers supported_api_versions with the extension’s own version list', () => {
    const script = readFileSync(path.resolve(import.meta.dirname, '../../bench/bare-relay/background.js'), 'utf8');
    let onConnect: ((port: Port) => void) | undefined;
    runInNewContext(script, { chrome: { runtime: { onConnect: { addListener: (listener: (port: Port) => void) => (onConnect = listener) } } } });
    const posted: unknown[] = [];
    let onMessage: ((message: unknown) => void) | undefined;
    onConnect?.({ onMessage: { addListener: (listener) => (onMessage = listener) }, postMessage: (message) => posted.push(message) });
    const request = { api: 'fromWidget', widgetId: 'bench', requestId: 'r1', action: 'supported_api_versions', data: {} };
    onMessage?.({ relayId: 1, request });
    // Through JSON: the list was made in another realm, and only its contents count.
    expect(JSON.parse(JSON.stringify(posted))).toEqual([{ relayId: 1, request: { ...request, response: { supported_versions: SUPPORTED_VERSIONS } } }]);
  });
});
