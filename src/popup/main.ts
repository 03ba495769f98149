// The popup (also opened as a tab on first run): log in and out, see what widgets may do.
import browser from 'webextension-polyfill';
import type { GrantView, SessionStatus } from '../shared/protocol/background-to-ui';
import { UI_PORT_NAME } from '../shared/protocol/ports';
import { describeCapability } from '../shared/core/capability-description';
import { askBackground } from '../shared/ui/background-client';
import { byId, element } from '../shared/ui/dom';

const ALL_SITES = { origins: ['<all_urls>'] };

// Keeps the background syncing while the popup is open.
browser.runtime.connect({ name: UI_PORT_NAME });

function render(status: SessionStatus): void {
  byId('logged-out').hidden = status.session !== null;
  byId('logged-in').hidden = status.session === null;
  if (status.session) {
    byId('user-id').textContent = status.session.userId;
    byId('device-id').textContent = status.session.deviceId;
    byId('sync-state').textContent = status.syncState;
    void renderGrants();
  }
}

async function renderGrants(): Promise<void> {
  const reply = await askBackground({ kind: 'listGrants' });
  const container = byId('grants');
  container.replaceChildren();
  if (!reply.ok) return;
  if (reply.value.length === 0) container.append(element('p', { class: 'muted' }, 'None yet.'));
  for (const grant of reply.value) container.append(grantCard(grant));
}

function grantCard(grant: GrantView): HTMLElement {
  const list = element('ul', { class: 'capabilities' });
  for (const capability of grant.granted) list.append(element('li', {}, `✓ ${describeCapability(capability).text}`));
  for (const capability of grant.denied) list.append(element('li', { class: 'muted' }, `✗ ${describeCapability(capability).text}`));
  return element(
    'div',
    { class: 'card' },
    element('div', {}, element('strong', {}, grant.widgetUrl)),
    element('div', { class: 'muted' }, `on ${grant.siteOrigin}, room ${grant.roomId || '(none)'}`),
    list,
  );
}

async function refresh(): Promise<void> {
  const reply = await askBackground({ kind: 'getStatus' });
  if (reply.ok) render(reply.value);
  else byId('login-error').textContent = reply.error.message;
}

byId<HTMLFormElement>('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const button = byId<HTMLButtonElement>('login');
  button.disabled = true;
  byId('login-error').textContent = '';
  void askBackground({
    kind: 'login',
    homeserverUrl: byId<HTMLInputElement>('homeserver').value.trim(),
    username: byId<HTMLInputElement>('username').value,
    password: byId<HTMLInputElement>('password').value,
  }).then((reply) => {
    button.disabled = false;
    byId<HTMLInputElement>('password').value = '';
    if (reply.ok) render(reply.value);
    else byId('login-error').textContent = reply.error.message;
  });
});

byId('logout').addEventListener('click', () => {
  void askBackground({ kind: 'logout' }).then((reply) => {
    if (reply.ok) render(reply.value);
  });
});

async function renderSiteAccess(): Promise<void> {
  const hasAccess = await browser.permissions.contains(ALL_SITES);
  // Said plainly only when something is wrong (Firefox treats MV3 site access as opt-in).
  byId('site-access-section').hidden = hasAccess;
  byId('site-access').textContent = hasAccess
    ? ''
    : 'Widgets on web pages cannot work yet: the extension needs access to web pages to find them.';
  byId('grant-site-access').hidden = hasAccess;
}

byId('grant-site-access').addEventListener('click', () => {
  // permissions.request must run in the click's user gesture: no await before it.
  void browser.permissions.request(ALL_SITES).then(renderSiteAccess);
});

if (new URLSearchParams(location.search).get('view') === 'welcome') {
  byId('welcome').hidden = false;
  document.body.style.maxWidth = '40em';
}
void renderSiteAccess();
void refresh();
