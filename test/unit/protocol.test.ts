// Every receiving edge parses with these schemas: malformed input must be refused with a reason
// a developer can act on, and the payload must not be echoed.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { BackgroundToContent, MAX_WIDGET_MESSAGES_PER_POST } from '../../src/shared/protocol/background-to-content';
import { ContentToBackground } from '../../src/shared/protocol/content-to-background';
import { parseMessage } from '../../src/shared/protocol/errors';
import { UiToBackground } from '../../src/shared/protocol/ui-to-background';
import { FromWidgetRequest, ReadEventsData, SendEventData, WidgetOutbound } from '../../src/shared/protocol/widget-api';

describe('ContentToBackground', () => {
  const announce = {
    kind: 'frameAnnounced',
    widgetOrigin: 'http://localhost:8620',
    isMarked: true,
    isResumed: false,
  };

  it('accepts a well-formed announcement', () => {
    expect(parseMessage(ContentToBackground, announce).ok).toBe(true);
  });

  it('accepts the page’s visibility as a boolean only', () => {
    expect(parseMessage(ContentToBackground, { kind: 'pageVisibilityChanged', isVisible: false }).ok).toBe(true);
    expect(parseMessage(ContentToBackground, { kind: 'pageVisibilityChanged', isVisible: 'hidden' }).ok).toBe(false);
  });

  it('accepts a suppressed push with its request id only', () => {
    expect(parseMessage(ContentToBackground, { kind: 'pushSuppressed', requestId: 'mwb-1-x' }).ok).toBe(true);
    expect(parseMessage(ContentToBackground, { kind: 'pushSuppressed', requestId: '' }).ok).toBe(false);
    expect(parseMessage(ContentToBackground, { kind: 'pushSuppressed' }).ok).toBe(false);
  });

  it.each([
    ['unknown kind', { kind: 'grantEverything' }, 'kind'],
    ['missing origin', { ...announce, widgetOrigin: undefined }, 'widgetOrigin'],
    ['origin is not a URL', { ...announce, widgetOrigin: 'not a url' }, 'widgetOrigin'],
    ['room hint not a room id', { ...announce, roomHint: '#alias:hs' }, 'roomHint'],
    ['boolean as string', { ...announce, isMarked: 'yes' }, 'isMarked'],
    ['not an object', 'frameAnnounced', ''],
    ['null', null, ''],
  ])('rejects %s with a clear reason', (_name, input, mentions) => {
    const result = parseMessage(ContentToBackground, input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason.length).toBeGreaterThan(0);
      expect(result.reason).toContain(mentions);
    }
  });
});

describe('UiToBackground', () => {
  it('rejects a login without a password, saying which field', () => {
    const result = parseMessage(UiToBackground, { kind: 'login', homeserverUrl: 'https://hs.example', username: 'a', password: '' });
    expect(result).toEqual({ ok: false, reason: 'password: password is empty' });
  });

  it('rejects a homeserver URL that is not http(s)', () => {
    const result = parseMessage(UiToBackground, { kind: 'login', homeserverUrl: 'javascript:alert(1)', username: 'a', password: 'b' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('homeserverUrl');
  });

  it('rejects a decision for a room that is not a room ID', () => {
    const result = parseMessage(UiToBackground, { kind: 'decideApproval', approvalId: 'x', roomId: 'lobby', approved: [], remember: true });
    expect(result.ok).toBe(false);
  });

  it('never echoes the payload in its reason', () => {
    const result = parseMessage(UiToBackground, { kind: 'login', homeserverUrl: 'nope', username: 'a', password: 'hunter2-secret' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).not.toContain('hunter2-secret');
    // valibot's own messages quote the received value; ours must not.
    const badUrl = parseMessage(UiToBackground, { kind: 'login', homeserverUrl: 'token-abc123-secret', username: 'a', password: 'b' });
    if (!badUrl.ok) expect(badUrl.reason).not.toContain('token-abc123-secret');
    const wrongType = parseMessage(ContentToBackground, { kind: 'frameAnnounced', widgetOrigin: 42424242, isMarked: true, isResumed: false });
    if (!wrongType.ok) expect(wrongType.reason).not.toContain('42424242');
  });
});

describe('BackgroundToContent', () => {
  it('rejects a message to post that is not a Widget API message', () => {
    expect(v.safeParse(BackgroundToContent, { kind: 'postToWidget', messages: [{ hello: 1 }] }).success).toBe(false);
  });

  it('takes between one and MAX_WIDGET_MESSAGES_PER_POST widget messages in one post', () => {
    const message = { api: 'toWidget', widgetId: 'w', requestId: 'r1', action: 'send_event', data: {} };
    const post = (count: number) => v.safeParse(BackgroundToContent, { kind: 'postToWidget', messages: Array.from({ length: count }, () => message) }).success;
    expect(post(0)).toBe(false);
    expect(post(1)).toBe(true);
    expect(post(MAX_WIDGET_MESSAGES_PER_POST)).toBe(true);
    expect(post(MAX_WIDGET_MESSAGES_PER_POST + 1)).toBe(false);
  });
});

describe('Widget API envelope', () => {
  const request = { api: 'fromWidget', widgetId: 'w', requestId: 'r1', action: 'send_event', data: {} };

  it('accepts a fromWidget request and defaults missing data to {}', () => {
    expect(v.parse(FromWidgetRequest, { ...request, data: undefined }).data).toEqual({});
  });

  it.each([
    ['wrong api', { ...request, api: 'toWidget' }],
    ['empty widget id', { ...request, widgetId: '' }],
    ['numeric request id', { ...request, requestId: 7 }],
    ['missing action', { ...request, action: undefined }],
    ['data is an array', { ...request, data: [1] }],
    ['oversized request id', { ...request, requestId: 'x'.repeat(300) }],
  ])('rejects a request with %s', (_name, input) => {
    expect(v.safeParse(FromWidgetRequest, input).success).toBe(false);
  });

  it('accepts a widget reply to a toWidget request only with a response object', () => {
    const reply = { api: 'toWidget', widgetId: 'w', requestId: 'r', action: 'capabilities', data: {} };
    expect(v.safeParse(WidgetOutbound, { ...reply, response: { capabilities: [] } }).success).toBe(true);
    expect(v.safeParse(WidgetOutbound, reply).success).toBe(false);
  });

  it.each([
    ['a "." event type', { type: '.', content: {}, state_key: 'm.room.power_levels' }],
    ['a ".." event type', { type: '..', content: {} }],
    ['a "." state key', { type: 'm.room.topic', content: {}, state_key: '.' }],
    ['a room_id that is no room ID', { type: 'm.room.message', content: {}, room_id: '..' }],
  ])('refuses send_event with %s (URL dot segments)', (_name, input) => {
    const result = v.safeParse(SendEventData, input);
    expect(result.success).toBe(false);
  });

  it('accepts read_events for any state key (state_key: true, as the package sends)', () => {
    expect(v.safeParse(ReadEventsData, { type: 'm.room.member', state_key: true }).success).toBe(true);
    expect(v.safeParse(ReadEventsData, { type: 'm.room.member', state_key: false }).success).toBe(false);
  });

  it('requires send_event content to be an object', () => {
    expect(v.safeParse(SendEventData, { type: 'm.room.message', content: 'hi' }).success).toBe(false);
  });
});
