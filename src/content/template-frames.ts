// Iframes that carry a widget URL template (`data-matrix-widget-src`) instead of a `src`: each gets
// a port to the background, which fills the template once the user consented and answers with the
// URL to load. Decides nothing: it sets what the background sent, and only then.
import browser, { type Runtime } from 'webextension-polyfill';
import * as v from 'valibot';
import { BackgroundToTemplateFrame } from '../shared/protocol/background-to-content';
import type { TemplateAnnounced } from '../shared/protocol/content-to-background';
import { TEMPLATE_PORT_NAME } from '../shared/protocol/ports';

export const TEMPLATE_ATTRIBUTE = 'data-matrix-widget-src';

/** A worker stopped while the user decides drops the port: asked again, a few times at most. */
const MAX_RECONNECTS = 5;
const RECONNECT_DELAY_MS = 200;

/** The load the background filled for each iframe, which its relay names when it announces the frame. */
const loadIds = new WeakMap<HTMLIFrameElement, string>();
const handled = new WeakSet<HTMLIFrameElement>();

export function templateLoadIdOf(iframe: HTMLIFrameElement): string | undefined {
  return loadIds.get(iframe);
}

export function isTemplateFrame(iframe: HTMLIFrameElement): boolean {
  return iframe.hasAttribute(TEMPLATE_ATTRIBUTE);
}

/** A frame the page already points somewhere loads what the page chose: its template is not used. */
function hasOwnSource(iframe: HTMLIFrameElement): boolean {
  const src = iframe.getAttribute('src');
  return src !== null && src.trim() !== '' && src.trim() !== 'about:blank';
}

function announcement(iframe: HTMLIFrameElement): TemplateAnnounced | undefined {
  const template = iframe.getAttribute(TEMPLATE_ATTRIBUTE)?.trim();
  if (!template) return undefined;
  const { matrixRoom, matrixWidgetId, matrixWidgetName } = iframe.dataset;
  return {
    kind: 'templateAnnounced',
    template,
    ...(matrixWidgetId ? { widgetId: matrixWidgetId } : {}),
    ...(matrixWidgetName ? { widgetName: matrixWidgetName.slice(0, 100) } : {}),
    ...(matrixRoom ? { roomHint: matrixRoom } : {}),
    theme: matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light',
  };
}

function requestFill(iframe: HTMLIFrameElement, message: TemplateAnnounced, attempt = 0): void {
  let port: Runtime.Port;
  try {
    port = browser.runtime.connect({ name: TEMPLATE_PORT_NAME });
  } catch {
    return; // the extension was reloaded or removed
  }
  let isAnswered = false;
  port.onMessage.addListener((raw: unknown) => {
    const parsed = v.safeParse(BackgroundToTemplateFrame, raw);
    if (!parsed.success) return;
    isAnswered = true;
    port.disconnect();
    if (parsed.output.kind !== 'templateFilled' || !iframe.isConnected || hasOwnSource(iframe)) return;
    loadIds.set(iframe, parsed.output.loadId);
    iframe.src = parsed.output.url;
  });
  port.onDisconnect.addListener(() => {
    if (isAnswered || attempt >= MAX_RECONNECTS || !iframe.isConnected) return;
    setTimeout(() => requestFill(iframe, message, attempt + 1), RECONNECT_DELAY_MS);
  });
  port.postMessage(message);
}

function consider(iframe: HTMLIFrameElement): void {
  if (handled.has(iframe) || !isTemplateFrame(iframe) || hasOwnSource(iframe)) return;
  const message = announcement(iframe);
  if (!message) return;
  handled.add(iframe);
  requestFill(iframe, message);
}

/** Watches the document for template frames, those added later too. */
export function watchTemplateFrames(): void {
  const scan = (root: ParentNode) => {
    for (const iframe of root.querySelectorAll<HTMLIFrameElement>(`iframe[${TEMPLATE_ATTRIBUTE}]`)) consider(iframe);
  };
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.target instanceof HTMLIFrameElement) consider(record.target);
      for (const node of record.addedNodes) {
        if (node instanceof HTMLIFrameElement) consider(node);
        else if (node instanceof Element) scan(node);
      }
    }
  }).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: [TEMPLATE_ATTRIBUTE] });
  scan(document);
}
