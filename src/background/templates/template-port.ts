// Accepts an embedder's port for one templated iframe: checks who asks (the browser's `sender`),
// asks the user when the URL would tell something about them, fills the template with the
// account's own values and answers with the URL to load. Exactly one answer per port.
import type { Runtime } from 'webextension-polyfill';
import { defaultWidgetId, fillTemplate, InvalidTemplate, parseTemplate } from '../../shared/core/widget-template';
import { siteOf, type WidgetIdentity } from '../../shared/core/widget-identity';
import type { BackgroundToTemplateFrame } from '../../shared/protocol/background-to-content';
import { TemplateAnnounced } from '../../shared/protocol/content-to-background';
import { parseMessage } from '../../shared/protocol/errors';
import { createLogger } from '../../shared/log';
import type { Services } from '../services';
import { ApprovalRefused } from '../approvals/pending-approval';
import { askingFrom } from '../widgets/host/capability-negotiation';
import { consentToTemplate } from './template-consent';
import { factValues, templateValues } from './template-values';

const log = createLogger('bg:templates');

class TemplateRefused extends Error {}

function webOrigin(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

export function acceptTemplatePort(port: Runtime.Port, services: Services): void {
  let isAsked = false;
  // The frame (or its page) went away: a question it put to the user is withdrawn.
  const gone = new AbortController();
  port.onDisconnect.addListener(() => gone.abort());
  const answer = (message: BackgroundToTemplateFrame): void => {
    try {
      port.postMessage(message);
    } catch {
      // The page or the frame went away meanwhile.
    }
  };
  port.onMessage.addListener((raw: unknown) => {
    if (isAsked) return;
    isAsked = true;
    const parsed = parseMessage(TemplateAnnounced, raw);
    if (!parsed.ok) {
      answer({ kind: 'templateRefused', reason: 'Malformed template announcement' });
      return;
    }
    fillForSender(port.sender ?? {}, parsed.value, services, gone.signal)
      .then((filled) => answer({ kind: 'templateFilled', ...filled }))
      .catch((error: unknown) => {
        // Reasons this module wrote name no secret; anything else stays generic.
        const reason = error instanceof TemplateRefused || error instanceof InvalidTemplate || error instanceof ApprovalRefused ? error.message : 'The widget could not be loaded';
        if (!(error instanceof TemplateRefused)) log.warn('template not filled', String(error));
        answer({ kind: 'templateRefused', reason });
      });
  });
}

async function fillForSender(sender: Runtime.MessageSender, message: TemplateAnnounced, services: Services, gone: AbortSignal): Promise<{ url: string; loadId: string }> {
  const tabId = sender.tab?.id;
  const embedderFrameId = sender.frameId;
  const topOrigin = webOrigin(sender.tab?.url);
  const embedderOrigin = webOrigin(sender.url);
  if (tabId === undefined || embedderFrameId === undefined || !topOrigin || !embedderOrigin) {
    throw new TemplateRefused('Templates are filled only for web pages');
  }
  const template = parseTemplate(message.template);
  if (!(await services.sites.isEnabled(topOrigin))) throw new TemplateRefused('The extension is switched off for this site');
  // Nobody can consent while logged out: the frame waits, and loads once the user logged in.
  const account = await services.accounts.whenLoggedIn();
  const identity: WidgetIdentity = {
    account,
    siteOrigin: siteOf(topOrigin, embedderOrigin),
    widgetUrl: template.widgetUrl,
    widgetId: message.widgetId ?? defaultWidgetId(template.widgetUrl),
  };
  // The account consent is asked for, even if another becomes active meanwhile.
  const client = await services.accounts.requireClientOf(account);
  const valuesFor = (roomId: string | null) =>
    templateValues(template.variables, { client, widgetId: identity.widgetId, roomId, embedderOrigin, theme: message.theme });
  const holdKey = crypto.randomUUID();
  const consent = await consentToTemplate(
    {
      identity,
      widgetOrigin: template.widgetOrigin,
      widgetName: message.widgetName ?? null,
      facts: factValues(template.variables, await valuesFor(null)),
      roomHint: message.roomHint,
      holdKey,
      now: Date.now,
    },
    services.grants,
    askingFrom(services.approvals, { tabId, siteOrigin: topOrigin, signal: gone }),
    services.audit,
  );
  if (!consent.isApproved) throw new TemplateRefused(consent.reason);
  const url = fillTemplate(message.template, await valuesFor(consent.roomId));
  const load = await services.templateLoads.add({
    loadId: holdKey,
    account,
    tabId,
    embedderFrameId,
    widgetSite: identity.siteOrigin,
    widgetUrl: identity.widgetUrl,
    widgetId: identity.widgetId,
    roomId: consent.roomId,
  });
  return { url, loadId: load.loadId };
}
