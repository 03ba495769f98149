// Background entry (Chrome service worker, Firefox event page). Every listener is registered
// synchronously at top level, so a worker woken by an event finds its listener (MV3 requirement).
import browser, { type Runtime } from 'webextension-polyfill';
import * as v from 'valibot';
import { FrameChallengeAnswered } from '../shared/protocol/content-to-background';
import { TEMPLATE_PORT_NAME, UI_PORT_NAME, WIDGET_PORT_NAME } from '../shared/protocol/ports';
import { getServices } from './services';
import { handleUiMessage, isExtensionPage } from './ui-handlers';
import { frameCommitted } from './widgets/frames/frame-commits';
import { acceptWidgetPort } from './widgets/frames/widget-ports';
import { acceptTemplatePort } from './templates/template-port';

browser.runtime.onConnect.addListener((port) => {
  const services = getServices();
  if (port.name === WIDGET_PORT_NAME) {
    acceptWidgetPort(port, services);
  } else if (port.name === TEMPLATE_PORT_NAME) {
    acceptTemplatePort(port, services);
  } else if (port.name === UI_PORT_NAME && port.sender && isExtensionPage(port.sender)) {
    // The popup keeps sync running while it is open, so its view is live, and hears of status changes.
    services.accounts.acquireSync();
    services.uiPorts.add(port);
    port.onDisconnect.addListener(() => services.accounts.releaseSync());
  } else {
    port.disconnect();
  }
});

browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
  // A widget frame's content script identifying its frame (frame attestation). The reply says
  // whether the answer counted: that content script stops after a few that did not (fakes its page
  // posted into it).
  const answer = v.safeParse(FrameChallengeAnswered, message);
  if (answer.success) return Promise.resolve(getServices().frameChallenges.answer(sender, answer.output.nonce));
  return handleUiMessage(message, sender, getServices());
});

browser.windows.onRemoved.addListener((windowId) => getServices().approvals.onWindowRemoved(windowId));
// A request waits for the user to be with its tab: turning to a tab or a window may let one open.
browser.tabs.onActivated.addListener(() => getServices().approvals.userMoved());
browser.windows.onFocusChanged.addListener(() => getServices().approvals.userMoved());
// A template filled for a tab's frames is of no use once the tab is gone.
browser.tabs.onRemoved.addListener((tabId) => void getServices().templateLoads.forgetTab(tabId));

// A frame that commits a new document loses its host, a port being attested for it, and a record
// stored for an earlier document. TODO(#7): also key hosts by documentId (Chromium only; Firefox 153
// has none), so that a same-origin document's first message cannot reach its predecessor's host
// before this runs; remove once hosts are keyed by document.
browser.webNavigation.onCommitted.addListener(({ tabId, frameId, timeStamp }) => {
  if (frameId !== 0) void frameCommitted(getServices(), tabId, frameId, timeStamp);
});

// Decisions not remembered were for one page load; a browser start ends every page load.
browser.runtime.onStartup.addListener(() => void getServices().grants.dropInstanceDecisions('all'));

browser.runtime.onInstalled.addListener(({ reason }) => {
  // First run: explain what the extension does, ask for site access where the browser makes it
  // opt-in (Firefox MV3), and offer the login form.
  if (reason === 'install') void browser.tabs.create({ url: browser.runtime.getURL('popup/index.html?view=welcome') });
});

void getServices().accounts.restore();
