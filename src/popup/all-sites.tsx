// "All sites": every site with widgets the user decided on, or switched off, searchable by address.
// Each site keeps its switch (off = the extension ignores all widget traffic there) and "Forget site"
// (every permission given on it goes) for as long as it is listed, also after "Revoke all".
import { useMemo, useState } from 'preact/hooks';
import { NESTED_SITE_SEPARATOR } from '../shared/core/widget-identity';
import type { GrantView, SiteView } from '../shared/protocol/background-to-ui';
import type { UiRequest } from '../shared/protocol/ui-to-background';
import { askBackground } from '../shared/ui/background-client';
import { Button, Icon, Switch } from '../shared/ui/components';
import { t } from '../shared/ui/i18n';
import { WidgetBlock, type WidgetKey } from './widget-block';
import type { Refresh } from './popup';

/** With fewer sites, all of them fit in the popup and a search field would be in the way. */
const SEARCH_FROM = 3;

type Props = { grants: GrantView[]; sites: SiteView[]; onSites: (sites: SiteView[]) => void; refresh: Refresh };

function topSiteOf(siteOrigin: string): string {
  return siteOrigin.split(NESTED_SITE_SEPARATOR)[0] ?? siteOrigin;
}

/** The site's widgets (nested embedders included), each with its decisions per room. */
function widgetsOf(siteOrigin: string, grants: GrantView[]): { key: WidgetKey; grants: GrantView[] }[] {
  const byWidget = new Map<string, { key: WidgetKey; grants: GrantView[] }>();
  for (const grant of grants) {
    if (topSiteOf(grant.siteOrigin) !== siteOrigin) continue;
    const id = JSON.stringify([grant.siteOrigin, grant.widgetUrl, grant.widgetId]);
    const entry = byWidget.get(id) ?? { key: { siteOrigin: grant.siteOrigin, widgetUrl: grant.widgetUrl, widgetId: grant.widgetId }, grants: [] };
    entry.grants.push(grant);
    byWidget.set(id, entry);
  }
  return [...byWidget.values()];
}

export function AllSites({ grants, sites, onSites, refresh }: Props) {
  const [query, setQuery] = useState('');
  const shown = useMemo(() => {
    const needle = query.trim().toLowerCase();
    return needle === '' ? sites : sites.filter((site) => site.siteOrigin.toLowerCase().includes(needle));
  }, [sites, query]);

  const update = async (request: UiRequest<'setSiteEnabled'> | UiRequest<'removeSite'>) => {
    // Both answer the updated site list (parsed by askBackground).
    const reply = await askBackground<'setSiteEnabled' | 'removeSite'>(request);
    if (reply.ok) onSites(reply.value);
    await refresh();
  };

  return (
    <section id="grants" class="section" aria-labelledby="sites-heading">
      <div class="section-head">
        <h2 id="sites-heading" class="section-heading">
          {t('allSitesHeading')}
        </h2>
        {sites.length > 0 && <span class="count">{sites.length}</span>}
      </div>
      {sites.length === 0 ? (
        <div class="empty">
          <p class="empty-title">{t('noSites')}</p>
          <p class="muted">{t('noSitesHint')}</p>
        </div>
      ) : (
        <>
          {sites.length >= SEARCH_FROM && (
            <div class="search">
              <Icon name="search" />
              <input
                id="site-search"
                class="input"
                type="search"
                value={query}
                aria-label={t('searchSitesLabel')}
                placeholder={t('searchSitesPlaceholder')}
                onInput={(event) => setQuery(event.currentTarget.value)}
              />
            </div>
          )}
          {shown.length === 0 && <p class="muted">{t('noSiteMatches', query.trim())}</p>}
          <ul class="plain sites">
            {shown.map((site) => (
              <li key={site.siteOrigin} class="ui-card site" data-site={site.siteOrigin}>
                <div class="site-head">
                  <h3 class="site-title" title={site.siteOrigin}>
                    <Icon name="globe" />
                    <span>{site.siteOrigin}</span>
                  </h3>
                  <Switch
                    checked={site.isEnabled}
                    ariaLabel={t('siteSwitchLabel', site.siteOrigin)}
                    onChange={(isEnabled) => void update({ kind: 'setSiteEnabled', siteOrigin: site.siteOrigin, isEnabled })}
                  >
                    <span class="visually-hidden">{t('siteSwitch')}</span>
                  </Switch>
                </div>
                {!site.isEnabled && <p class="muted small">{t('siteOffHint')}</p>}
                {widgetsOf(site.siteOrigin, grants).map((widget) => (
                  <WidgetBlock key={JSON.stringify(widget.key)} widget={widget.key} grants={widget.grants} refresh={refresh} />
                ))}
                <div class="site-foot">
                  <Button
                    variant="danger"
                    size="small"
                    class="forget-site"
                    aria-label={t('forgetSiteLabel', site.siteOrigin)}
                    onClick={() => void update({ kind: 'removeSite', siteOrigin: site.siteOrigin })}
                  >
                    {t('forgetSite')}
                  </Button>
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
