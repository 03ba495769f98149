// Says plainly when the browser has not given the extension access to web pages (Firefox treats
// MV3 host permissions as opt-in), and asks for it.
import { useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { t } from '../shared/ui/i18n';

const ALL_SITES = { origins: ['<all_urls>'] };

export function SiteAccess() {
  const [hasAccess, setHasAccess] = useState(true);
  useEffect(() => void browser.permissions.contains(ALL_SITES).then(setHasAccess), []);
  if (hasAccess) return null;
  return (
    <section id="site-access" role="status">
      <p class="error">{t('siteAccessMissing')}</p>
      <button
        type="button"
        // permissions.request must run in the click's user gesture: no await before it.
        onClick={() => void browser.permissions.request(ALL_SITES).then(setHasAccess)}
      >
        {t('siteAccessGrant')}
      </button>
    </section>
  );
}
