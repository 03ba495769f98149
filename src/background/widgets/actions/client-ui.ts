// Client-UI actions of the Widget API. On a third-party page there is no Matrix client around the
// widget: no modal layer, no sticker picker, no "always on screen" area, no room list to navigate.
// Each gets a specific error that says why, instead of a generic "unsupported" (docs/widget-api.md).
import { WidgetApiFromWidgetAction } from 'matrix-widget-api';
import { WidgetRequestRefused } from './widget-errors';

const REASONS: Readonly<Record<string, string>> = {
  [WidgetApiFromWidgetAction.OpenModalWidget]:
    'Modal widgets need a Matrix client around the widget; on a web page, open your own dialog in the widget instead',
  [WidgetApiFromWidgetAction.CloseModalWidget]: 'There is no modal widget to close: modals are not available on web pages',
  [WidgetApiFromWidgetAction.SetModalButtonEnabled]: 'There are no modal buttons: modals are not available on web pages',
  [WidgetApiFromWidgetAction.SendSticker]: 'Stickers are sent by a Matrix client; on a web page, send an m.sticker event with send_event',
  [WidgetApiFromWidgetAction.UpdateAlwaysOnScreen]: 'The page decides where the widget is shown; "always on screen" does not apply on web pages',
  [WidgetApiFromWidgetAction.MSC2931Navigate]: 'There is no Matrix client to navigate on a web page; link to matrix.to in the widget instead',
};

/** The specific refusal for a client-UI action, or undefined when `action` is not one. */
export function clientUiRefusal(action: string): WidgetRequestRefused | undefined {
  const reason = REASONS[action];
  return reason === undefined ? undefined : new WidgetRequestRefused(reason);
}
