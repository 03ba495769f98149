// Property tests over what untrusted contexts can send (issue #7): no input makes a receiving edge
// throw, and the widget host answers every well-formed request exactly once and nothing else.
import fc from 'fast-check';
import * as v from 'valibot';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../../src/background/grants/audit-log';
import { GrantStore } from '../../src/background/grants/grant-store';
import { MatrixSession } from '../../src/background/session/matrix-session';
import { SessionStore } from '../../src/background/session/session-store';
import { HostRecords } from '../../src/background/widgets/host/host-record';
import { WidgetHost } from '../../src/background/widgets/host/widget-host';
import { BackgroundToContent } from '../../src/shared/protocol/background-to-content';
import { ContentToBackground } from '../../src/shared/protocol/content-to-background';
import { parseMessage } from '../../src/shared/protocol/errors';
import { UiToBackground } from '../../src/shared/protocol/ui-to-background';
import { FromWidgetRequest, WidgetOutbound, type WidgetInbound } from '../../src/shared/protocol/widget-api';
import { memoryStore } from '../support/memory-store';

const ORIGIN = 'https://widget.example';

/** JSON-like values, the shapes postMessage and runtime messaging can carry. */
const anyMessage = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.record({
    api: fc.constantFrom('fromWidget', 'toWidget', 'other'),
    widgetId: fc.oneof(fc.constant('w'), fc.string()),
    requestId: fc.oneof(fc.string(), fc.integer()),
    action: fc.oneof(fc.constantFrom('supported_api_versions', 'send_event', 'org.matrix.msc2876.read_events', 'get_openid', 'open_modal'), fc.string()),
    data: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.anything({ maxDepth: 2 })),
  }),
);

beforeAll(() => {
  // Dropped messages are logged (without payload); thousands of them would drown the test output.
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

describe('receiving edges never throw', () => {
  it.each([
    ['ContentToBackground', ContentToBackground],
    ['BackgroundToContent', BackgroundToContent],
    ['UiToBackground', UiToBackground],
    ['WidgetOutbound', WidgetOutbound],
  ] as const)('%s: any input parses or is refused with a reason', (_name, schema) => {
    fc.assert(
      fc.property(anyMessage, fc.string({ minLength: 12 }), (input, secret) => {
        const result = parseMessage(schema as v.GenericSchema, input);
        if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
        // A refusal never quotes what was sent.
        const withSecret = parseMessage(schema as v.GenericSchema, { kind: secret, api: secret, widgetOrigin: secret, message: secret });
        if (!withSecret.ok) expect(withSecret.reason).not.toContain(secret);
      }),
      { numRuns: 10_000 },
    );
  });
});

function loggedOutHost(posted: WidgetInbound[]): WidgetHost {
  const session = new MatrixSession(new SessionStore(memoryStore()));
  const values = new Map<string, unknown>();
  return new WidgetHost(
    {
      target: {
        frame: { tabId: 1, frameId: 2, siteOrigin: 'https://site.example', widgetSite: 'https://site.example', widgetOrigin: ORIGIN, widgetUrl: `${ORIGIN}/w`, documentUrl: `${ORIGIN}/w` },
        key: 'host:1:2',
        roomHint: undefined,
      },
      port: { post: (message) => posted.push(message), reject: () => undefined },
      account: session,
      decisions: {
        grants: new GrantStore(memoryStore(), memoryStore()),
        approvals: { request: async () => ({ roomId: null, approved: [], remember: false }), release: () => undefined },
        audit: new AuditLog(memoryStore()),
        records: new HostRecords({ read: async (key) => values.get(key), write: async (key, value) => void values.set(key, value), remove: async (key) => void values.delete(key), keys: async () => [...values.keys()] }),
      },
      now: Date.now,
    },
    undefined,
  );
}

describe('the widget host answers exactly once', () => {
  it('replies once to each well-formed request, never to anything else, and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyMessage, { maxLength: 12 }), async (messages) => {
        const posted: WidgetInbound[] = [];
        const host = loggedOutHost(posted);
        const expected = new Map<string, number>();
        let widgetId: string | undefined;
        for (const message of messages) {
          // The host adopts the widget id of the first well-formed message of either direction.
          const outbound = v.safeParse(WidgetOutbound, message);
          if (outbound.success) widgetId ??= outbound.output.widgetId;
          const request = v.safeParse(FromWidgetRequest, message);
          if (request.success && request.output.widgetId === widgetId) {
            expected.set(request.output.requestId, (expected.get(request.output.requestId) ?? 0) + 1);
          }
          await host.handle(ORIGIN, message);
        }
        const replies = new Map<string, number>();
        for (const message of posted) {
          if (message.api === 'fromWidget' && message.response) replies.set(message.requestId, (replies.get(message.requestId) ?? 0) + 1);
        }
        // Handled one after the other, a repeated id is a new request (matrix-widget-api reuses ids
        // once answered), so every well-formed request message gets its own single reply.
        expect(Object.fromEntries(replies)).toEqual(Object.fromEntries(expected));
        await host.dispose();
      }),
      { numRuns: 5_000 },
    );
  });
});
