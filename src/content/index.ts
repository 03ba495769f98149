// Content script, in every frame (all_frames, isolated world, document_start). Each frame relays
// for its direct child iframes only. It posts nothing into a frame that is neither marked by the
// page (`data-matrix-widget`) nor has spoken the Widget API first, so pages cannot detect it.
import browser from 'webextension-polyfill';
import { answerFrameChallenges } from './frame-challenge';
import { FrameRelay } from './frame-relay';
import { NO_LONGER_HOSTED, refusalOf, routeLoad, routeMessage } from './message-routing';
import { isTemplateFrame, templateLoadIdOf, watchTemplateFrames } from './template-frames';

// This frame may itself be a widget frame, which its parent's relay asks to identify itself.
answerFrameChallenges(window, (answer) => browser.runtime.sendMessage(answer));

const relays = new Map<HTMLIFrameElement, FrameRelay>();

function childIframeOf(source: MessageEventSource | null): HTMLIFrameElement | undefined {
  if (!source || source === window) return undefined;
  for (const iframe of document.querySelectorAll('iframe')) {
    if (iframe.contentWindow === source) return iframe;
  }
  return undefined;
}

/** Marked by the page as a widget frame, directly or by carrying a widget URL template. */
function isMarked(iframe: HTMLIFrameElement): boolean {
  return iframe.hasAttribute('data-matrix-widget') || isTemplateFrame(iframe);
}

// Frames whose URL the extension fills: nothing is loaded into them before the user consented.
watchTemplateFrames();

function originOfSrc(iframe: HTMLIFrameElement): string | undefined {
  try {
    const origin = new URL(iframe.src).origin;
    return /^https?:/.test(origin) ? origin : undefined;
  } catch {
    return undefined;
  }
}

function startRelay(iframe: HTMLIFrameElement, origin: string, hasSeenLoad: boolean): FrameRelay {
  const relay: FrameRelay = new FrameRelay(
    iframe,
    origin,
    isMarked(iframe),
    hasSeenLoad,
    templateLoadIdOf(iframe),
    () => {
      if (relays.get(iframe) === relay) relays.delete(iframe);
    },
    () => onRejected(iframe, origin),
  );
  relays.set(iframe, relay);
  return relay;
}

/**
 * Frames the background refused (site switched off, account switched, not attestable), with the
 * origin their document spoke from: nothing of theirs is forwarded until their next document loads,
 * which gets a fresh chance; until then each of their requests is answered with an error.
 */
const rejectedFrames = new WeakMap<HTMLIFrameElement, { origin: string }>();
function onRejected(iframe: HTMLIFrameElement, origin: string): void {
  rejectedFrames.set(iframe, { origin });
}

window.addEventListener('message', (event: MessageEvent) => {
  if (!event.isTrusted) return; // routeMessage says so too; this spares the page's forgeries a frame search
  const iframe = childIframeOf(event.source);
  const child = iframe && { rejected: rejectedFrames.get(iframe), relay: relays.get(iframe) };
  const route = routeMessage(event, child);
  if (route.action === 'forward') route.relay.forward(event.data);
  else if (route.action === 'refuse') {
    const reply = refusalOf(event.data, NO_LONGER_HOSTED);
    if (reply) iframe?.contentWindow?.postMessage(reply, route.origin);
  }
  else if (route.action === 'start' && iframe) startRelay(iframe, route.origin, false).forward(event.data);
});

// `load` does not bubble, but it can be captured at the document: this sees every iframe load,
// including iframes added later. A load after the relay's own document loaded means navigation.
document.addEventListener(
  'load',
  (event) => {
    const iframe = event.target;
    if (!(iframe instanceof HTMLIFrameElement)) return;
    const route = routeLoad({ isTrusted: event.isTrusted, relay: relays.get(iframe), isMarked: isMarked(iframe), srcOrigin: originOfSrc(iframe) });
    if (route.action === 'ignore') return;
    rejectedFrames.delete(iframe);
    if (route.action === 'first-load') {
      route.relay.hasSeenLoad = true;
      return;
    }
    route.stop?.stop();
    if (route.startAs) startRelay(iframe, route.startAs, true);
  },
  true,
);
