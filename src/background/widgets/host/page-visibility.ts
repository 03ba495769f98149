// toWidget `visibility`: whether the page showing the widget is visible (the browser tab in front,
// the window not minimised), as the relay reads `document.visibilityState` in the embedding frame.
// A hint for widgets that pause when hidden (matrix-widget-api acknowledges it by default); nothing
// here decides anything, and a widget only hears it after capability negotiation.
import type { ToWidgetChannel } from './to-widget-channel';

export class PageVisibility {
  private isVisible = true;

  /**
   * @param toldVisible What the widget believes: a new widget assumes it is visible; after a stopped
   *   worker the new host does not know what the old one said (`undefined`), so it says it again.
   */
  constructor(
    private readonly channel: ToWidgetChannel,
    private readonly isWidgetReady: () => boolean,
    private toldVisible: boolean | undefined,
  ) {}

  set(isVisible: boolean): void {
    this.isVisible = isVisible;
    this.tell();
  }

  /** Tells the widget the current state, if it changed since it was last told and the widget is ready. */
  tell(): void {
    if (!this.isWidgetReady() || this.isVisible === this.toldVisible) return;
    this.toldVisible = this.isVisible;
    void this.channel.request('visibility', { visible: this.isVisible }).catch(() => undefined);
  }
}
