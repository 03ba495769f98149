// "This site": the page in the active tab, the switch that turns widgets off on it, and the widgets the
// extension hosts there, each with its room and what it may do, in the approval window's words.
import { useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { describeIntents } from '../shared/core/capability-intents';
import { NESTED_SITE_SEPARATOR } from '../shared/core/widget-identity';
import type { GrantView, SiteView, TabWidgetView } from '../shared/protocol/background-to-ui';
import { askBackground } from '../shared/ui/background-client';
import { Icon, Switch } from '../shared/ui/components';
import { render, t, type MessageKey } from '../shared/ui/i18n';
import { widgetName } from './widget-names';

type Props = { generation: number; grants: GrantView[]; sites: SiteView[]; onSites: (sites: SiteView[]) => void };

type Tab = { siteOrigin: string | null; favicon: string | null; widgets: TabWidgetView[] };

/**
 * The tab's icon as the browser reports it (`tab.favIconUrl`, offered with the host access the
 * extension has, no permission of its own): a data: URL, or the site's own address, which the
 * browser fetched for the tab already and serves from its cache. Anything else is not shown.
 */
function faviconOf(url: string | undefined): string | null {
  if (!url || !URL.canParse(url)) return null;
  return ['https:', 'http:', 'data:'].includes(new URL(url).protocol) ? url : null;
}

/** The page's origin when it is a web page (the tab's URL is known with the extension's host access). */
function webOrigin(url: string | undefined): string | null {
  if (!url || !URL.canParse(url)) return null;
  const parsed = new URL(url);
  return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : null;
}

/** The site's favicon, or the globe when there is none or it does not load. Decorative: the origin is beside it. */
function SiteIcon({ favicon }: { favicon: string | null }) {
  const [hasFailed, setFailed] = useState(false);
  if (favicon === null || hasFailed) return <Icon name="globe" />;
  return <img class="site-favicon" src={favicon} alt="" width={16} height={16} referrerpolicy="no-referrer" onError={() => setFailed(true)} />;
}

export function ThisSite({ generation, grants, sites, onSites }: Props) {
  const [tab, setTab] = useState<Tab | undefined>();
  useEffect(() => {
    let isCurrent = true;
    void (async () => {
      const [active] = await browser.tabs.query({ active: true, currentWindow: true });
      if (active?.id === undefined) return;
      const reply = await askBackground({ kind: 'listTabWidgets', tabId: active.id });
      const widgets = reply.ok ? reply.value : [];
      // Without host access the tab's URL is hidden; its widgets still name their top site.
      const fromWidgets = widgets[0]?.siteOrigin.split(NESTED_SITE_SEPARATOR)[0] ?? null;
      if (isCurrent) setTab({ siteOrigin: webOrigin(active.url) ?? fromWidgets, favicon: faviconOf(active.favIconUrl), widgets });
    })();
    return () => {
      isCurrent = false;
    };
  }, [generation]);

  const siteOrigin = tab?.siteOrigin ?? null;
  // A site without a record is on (site-settings.ts); only sites with grants or switched off are listed.
  const isEnabled = sites.find((site) => site.siteOrigin === siteOrigin)?.isEnabled ?? true;
  const setEnabled = async (enabled: boolean) => {
    if (siteOrigin === null) return;
    const reply = await askBackground({ kind: 'setSiteEnabled', siteOrigin, isEnabled: enabled });
    if (reply.ok) onSites(reply.value);
  };

  return (
    <section id="this-site" class="section" aria-labelledby="this-site-heading">
      <div class="section-head">
        <h2 id="this-site-heading" class="section-heading">
          {t('thisSiteHeading')}
        </h2>
        {siteOrigin !== null && (
          <span class="site-name" title={siteOrigin}>
            <SiteIcon favicon={tab?.favicon ?? null} />
            {siteOrigin}
          </span>
        )}
      </div>
      {tab && siteOrigin === null && (
        <div class="empty">
          <p class="empty-title">{t('thisSiteNotWebPage')}</p>
          <p class="muted">{t('thisSiteNotWebPageHint')}</p>
        </div>
      )}
      {siteOrigin !== null && (
        <div class="site-switch-row">
          <Switch id="this-site-enabled" checked={isEnabled} onChange={(enabled) => void setEnabled(enabled)} ariaLabel={t('siteSwitchLabel', siteOrigin)}>
            {t('siteSwitch')}
          </Switch>
          {!isEnabled && <p class="muted small">{t('siteOffHint')}</p>}
        </div>
      )}
      {siteOrigin !== null && isEnabled && tab?.widgets.length === 0 && (
        <div class="empty" id="no-tab-widgets">
          <p class="empty-title">{t('noTabWidgets')}</p>
          <p class="muted">{t('noTabWidgetsHint')}</p>
        </div>
      )}
      {tab && tab.widgets.length > 0 && (
        <ul class="plain tab-widgets" id="tab-widgets">
          {tab.widgets.map((widget) => (
            <TabWidget key={`${widget.widgetUrl}|${widget.widgetId}`} widget={widget} grants={grants} />
          ))}
        </ul>
      )}
    </section>
  );
}

function TabWidget({ widget, grants }: { widget: TabWidgetView; grants: GrantView[] }) {
  const grant = grants.find(
    (candidate) => candidate.siteOrigin === widget.siteOrigin && candidate.widgetUrl === widget.widgetUrl && candidate.widgetId === widget.widgetId && candidate.roomId === widget.roomId,
  );
  const roomName = grant?.roomName ?? widget.roomId;
  const intents = describeIntents(widget.approved, widget.roomId ?? undefined);
  return (
    <li class="ui-card tab-widget" data-tab-widget={widget.widgetUrl} data-state={widget.state}>
      <div class="widget-title">
        <strong title={widget.widgetUrl}>{widgetName(widget.widgetUrl)}</strong>
        <span class={`pill pill-${widget.state}`}>{t(`tabWidgetState_${widget.state}` as MessageKey)}</span>
      </div>
      <p class="muted small">{roomName ? t('inRoom', roomName) : t('noRoomYet')}</p>
      {intents.length > 0 ? (
        <ul class="intent-lines">
          {intents.map((intent) => (
            <li key={intent.id} data-tone={intent.tone}>
              {render(intent.message)}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted small">{widget.state === 'ready' ? t('tabWidgetNothingAllowed') : t('tabWidgetNotYet')}</p>
      )}
    </li>
  );
}
