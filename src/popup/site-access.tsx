// Says plainly when the browser has not given the extension access to web pages (Firefox treats
// MV3 host permissions as opt-in), and asks for it.
import { useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { Button } from '../shared/ui/components';
import { t } from '../shared/ui/i18n';

const ALL_SITES = { origins: ['<all_urls>'] };

export function SiteAccess() {
  const [hasAccess, setHasAccess] = useState(true);
  useEffect(() => void browser.permissions.contains(ALL_SITES).then(setHasAccess), []);
  if (hasAccess) return null;
  return (
    <section id="site-access" class="notice notice-warning" role="status">
      <p>{t('siteAccessMissing')}</p>
      <Button
        variant="primary"
        // permissions.request must run in the click's user gesture: no await before it.
        onClick={() => void browser.permissions.request(ALL_SITES).then(setHasAccess)}
      >
        {t('siteAccessGrant')}
      </Button>
    </section>
  );
}
