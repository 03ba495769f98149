import { describe, expect, it } from 'vitest';
import { withoutRoomsOutside, withStickyEvents } from '../../src/background/session/scoped-sticky-events';

const answer = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json', 'content-length': '9999' } });

describe('withStickyEvents', () => {
  it('adds the active sticky events of rooms in the answer, older first, each once', async () => {
    const merged = await withStickyEvents(
      answer({
        next_batch: 's2',
        rooms: {
          join: {
            '!new': { timeline: { events: [{ event_id: '$inTimeline' }] }, msc4354_sticky: { events: [{ event_id: '$sinceSince' }] } },
            '!other': { timeline: { events: [] } },
          },
        },
      }),
      new Map([
        ['!new', [{ event_id: '$old' }, { event_id: '$inTimeline' }, { event_id: '$sinceSince' }]],
        ['!notInAnswer', [{ event_id: '$x' }]],
      ]),
    );
    expect(merged.headers.get('content-length')).toBeNull();
    expect(await merged.json()).toEqual({
      next_batch: 's2',
      rooms: {
        join: {
          '!new': { timeline: { events: [{ event_id: '$inTimeline' }] }, msc4354_sticky: { events: [{ event_id: '$old' }, { event_id: '$sinceSince' }] } },
          '!other': { timeline: { events: [] } },
        },
      },
    });
  });

  it('passes the answer through untouched when there is nothing to add', async () => {
    const original = answer({ next_batch: 's2' });
    expect(await withStickyEvents(original, new Map([['!a', []]]))).toBe(original);
  });
});

describe('withoutRoomsOutside', () => {
  const scope = { kind: 'rooms', roomIds: ['!in'] } as const;

  it('drops the entries of rooms outside the scope that only sticky events brought', async () => {
    const filtered = await withoutRoomsOutside(
      answer({ rooms: { join: { '!in': { timeline: { events: [] } }, '!out': { msc4354_sticky: { events: [{ event_id: '$s' }] } } } } }),
      scope,
    );
    expect(await filtered.json()).toEqual({ rooms: { join: { '!in': { timeline: { events: [] } } } } });
  });

  it('keeps everything when the scope is every room, or when no sticky section is there', async () => {
    const body = { rooms: { join: { '!out': { timeline: { events: [{ event_id: '$e' }] } } } } };
    expect(await (await withoutRoomsOutside(answer(body), { kind: 'all' })).json()).toEqual(body);
    expect(await (await withoutRoomsOutside(answer(body), scope)).json()).toEqual(body);
  });
});
