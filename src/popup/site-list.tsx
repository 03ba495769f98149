// Sites with widgets: a switch per site (off = the extension ignores all widget traffic there)
// and "forget", which removes every permission given on the site.
import type { SiteView } from '../shared/protocol/background-to-ui';
import type { UiRequest } from '../shared/protocol/ui-to-background';
import { askBackground } from '../shared/ui/background-client';
import { t } from '../shared/ui/i18n';
import type { Refresh } from './popup';

export function SiteList({ sites, onChange, refresh }: { sites: SiteView[]; onChange: (sites: SiteView[]) => void; refresh: Refresh }) {
  if (sites.length === 0) return null;
  const update = async (request: UiRequest<'setSiteEnabled'> | UiRequest<'removeSite'>) => {
    // Both answer the updated site list (parsed by askBackground).
    const reply = await askBackground<'setSiteEnabled' | 'removeSite'>(request);
    if (reply.ok) onChange(reply.value);
    await refresh();
  };
  return (
    <section aria-labelledby="sites-heading">
      <h2 id="sites-heading">{t('sitesHeading')}</h2>
      <ul class="plain">
        {sites.map((site) => (
          <li key={site.siteOrigin} class="row" data-site={site.siteOrigin}>
            <label class="inline">
              <input
                type="checkbox"
                role="switch"
                checked={site.isEnabled}
                onChange={(event) =>
                  void update({ kind: 'setSiteEnabled', siteOrigin: site.siteOrigin, isEnabled: event.currentTarget.checked })
                }
              />{' '}
              {t('siteEnabled', site.siteOrigin)}
            </label>
            <button
              type="button"
              class="link"
              aria-label={t('forgetSiteLabel', site.siteOrigin)}
              onClick={() => void update({ kind: 'removeSite', siteOrigin: site.siteOrigin })}
            >
              {t('forgetSite')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
