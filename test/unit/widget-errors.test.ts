// What a widget reads when its request fails: our own refusals verbatim, never "internal error".
import { describe, expect, it } from 'vitest';
import { RoomNotSynced } from '../../src/background/widgets/actions/room-encryption';
import { toWidgetError, WidgetRequestRefused } from '../../src/background/widgets/actions/widget-errors';

describe('toWidgetError', () => {
  it('passes a refused send into an encrypted room that has not synced on as it is', () => {
    expect(toWidgetError(new RoomNotSynced())).toEqual({ error: { message: new RoomNotSynced().message } });
    expect(new RoomNotSynced().message).toMatch(/encrypted and has not synced/);
  });

  it('passes refusals on verbatim and hides anything else behind "internal error"', () => {
    expect(toWidgetError(new WidgetRequestRefused('Not allowed to read')).error.message).toBe('Not allowed to read');
    const internal = toWidgetError(new Error('secret detail at /_matrix/…?access_token=abc')).error.message;
    expect(internal).not.toContain('secret');
    expect(internal).toContain('internal error');
  });
});
