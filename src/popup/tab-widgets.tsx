// The widgets the extension hosts in the active tab, and their state.
import { useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import type { TabWidgetView } from '../shared/protocol/background-to-ui';
import { askBackground } from '../shared/ui/background-client';
import { t, type MessageKey } from '../shared/ui/i18n';

export function TabWidgets() {
  const [widgets, setWidgets] = useState<TabWidgetView[]>([]);
  useEffect(() => {
    void (async () => {
      const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
      if (tab?.id === undefined) return;
      const reply = await askBackground({ kind: 'listTabWidgets', tabId: tab.id });
      if (reply.ok) setWidgets(reply.value);
    })();
  }, []);
  if (widgets.length === 0) return null;
  return (
    <section aria-labelledby="tab-widgets-heading">
      <h2 id="tab-widgets-heading">{t('tabWidgetsHeading')}</h2>
      <ul class="plain">
        {widgets.map((widget) => (
          <li key={`${widget.widgetUrl}|${widget.widgetId}`} class="card">
            <strong>{widget.widgetUrl}</strong>
            <div class="muted">
              {t(`tabWidgetState_${widget.state}` as MessageKey)}
              {widget.roomId ? ` · ${widget.roomId}` : ''}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
