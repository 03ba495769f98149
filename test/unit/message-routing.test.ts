// The content script's rules for what a posted message or an iframe load may set going
// (src/content/message-routing.ts): what a page can forge is ignored, a frame is spoken to only
// after it spoke the Widget API, and a relay hears only the origin it was started for.
import { describe, expect, it } from 'vitest';
import { NO_LONGER_HOSTED, refusalOf, routeLoad, routeMessage, type PostedMessage } from '../../src/content/message-routing';

type Relay = { name: string; origin: string; hasSeenLoad: boolean };
const WIDGET = 'https://widget.example';
const request = { api: 'fromWidget', widgetId: 'w1', requestId: 'r1', action: 'supported_api_versions', data: {} };
const trusted = (data: unknown, origin = WIDGET): PostedMessage => ({ isTrusted: true, origin, data });
const relay: Relay = { name: 'relay', origin: WIDGET, hasSeenLoad: true };

describe('routeMessage', () => {
  it('starts a relay, as the attested origin, for a child frame’s first Widget API request', () => {
    expect(routeMessage(trusted(request), { rejected: undefined, relay: undefined })).toEqual({ action: 'start', origin: WIDGET });
  });

  it('forwards what the relay’s own origin posts, requests or not (answers to the host too)', () => {
    const child = { rejected: undefined, relay };
    expect(routeMessage(trusted(request), child)).toEqual({ action: 'forward', relay });
    expect(routeMessage(trusted({ api: 'toWidget', requestId: 'x', response: {} }), child)).toEqual({ action: 'forward', relay });
  });

  it('answers a request of a frame the background refused, until it loads anew, as the origin it spoke from (issue #18)', () => {
    expect(routeMessage(trusted(request), { rejected: { origin: WIDGET }, relay: undefined })).toEqual({ action: 'refuse', origin: WIDGET });
    expect(routeMessage({ ...trusted(request), isTrusted: false }, { rejected: { origin: WIDGET }, relay: undefined })).toEqual({ action: 'ignore' });
  });

  it.each([
    ['a synthetic event the page dispatched', { ...trusted(request), isTrusted: false }, { rejected: undefined, relay: undefined }],
    ['a synthetic event naming a relayed frame', { ...trusted(request), isTrusted: false }, { rejected: undefined, relay }],
    ['a message from no child of this frame (the page, a sibling’s child)', trusted(request), undefined],
    ['a refused frame’s message that is not a request (it gets no reply)', trusted({ api: 'toWidget', requestId: 'x', response: {} }), { rejected: { origin: WIDGET }, relay: undefined }],
    ['a refused frame now speaking from another origin', trusted(request, 'https://other.example'), { rejected: { origin: WIDGET }, relay: undefined }],
    ['a relayed frame now speaking from another origin', trusted(request, 'https://other.example'), { rejected: undefined, relay }],
    ['an opaque origin (sandboxed frame, data: URL)', trusted(request, 'null'), { rejected: undefined, relay: undefined }],
    ['a first message that is not a Widget API request', trusted({ hello: 'world' }), { rejected: undefined, relay: undefined }],
    ['a first message in the toWidget direction', trusted({ ...request, api: 'toWidget' }), { rejected: undefined, relay: undefined }],
    ['a first request without a request id', trusted({ ...request, requestId: undefined }), { rejected: undefined, relay: undefined }],
    ['a first message that is a string', trusted(JSON.stringify(request)), { rejected: undefined, relay: undefined }],
  ])('ignores %s', (_what, message, child) => {
    expect(routeMessage<Relay>(message, child)).toEqual({ action: 'ignore' });
  });
});

describe('refusalOf', () => {
  it('is the error reply to a Widget API request, and nothing for anything else', () => {
    expect(refusalOf(request, NO_LONGER_HOSTED)).toEqual({ ...request, response: { error: { message: NO_LONGER_HOSTED } } });
    expect(refusalOf({ ...request, api: 'toWidget' }, NO_LONGER_HOSTED)).toBeUndefined();
    expect(refusalOf({ hello: 'world' }, NO_LONGER_HOSTED)).toBeUndefined();
  });
});

describe('routeLoad', () => {
  const fresh: Relay = { ...relay, hasSeenLoad: false };

  it('ignores a load the page dispatched itself', () => {
    expect(routeLoad({ isTrusted: false, relay, isMarked: true, srcOrigin: WIDGET })).toEqual({ action: 'ignore' });
  });

  it('takes the first load of a relay’s own document as no change', () => {
    expect(routeLoad({ isTrusted: true, relay: fresh, isMarked: true, srcOrigin: WIDGET })).toEqual({ action: 'first-load', relay: fresh });
  });

  it('stops the relay on a later load, and starts one for a marked frame’s src', () => {
    expect(routeLoad({ isTrusted: true, relay, isMarked: true, srcOrigin: WIDGET })).toEqual({ action: 'navigated', stop: relay, startAs: WIDGET });
    expect(routeLoad({ isTrusted: true, relay, isMarked: false, srcOrigin: WIDGET })).toEqual({ action: 'navigated', stop: relay, startAs: undefined });
  });

  it('starts nothing for a marked frame without an http(s) src, nor for an unmarked one', () => {
    expect(routeLoad<Relay>({ isTrusted: true, relay: undefined, isMarked: true, srcOrigin: undefined })).toEqual({ action: 'navigated', stop: undefined, startAs: undefined });
    expect(routeLoad<Relay>({ isTrusted: true, relay: undefined, isMarked: false, srcOrigin: WIDGET })).toEqual({ action: 'navigated', stop: undefined, startAs: undefined });
  });
});
