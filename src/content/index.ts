// Content script, in every frame (all_frames, isolated world, document_start). Each frame relays
// for its direct child iframes only. It posts nothing into a frame that is neither marked by the
// page (`data-matrix-widget`) nor has spoken the Widget API first, so pages cannot detect it.
import browser from 'webextension-polyfill';
import * as v from 'valibot';
import { FromWidgetRequest } from '../shared/protocol/widget-api';
import { answerFrameChallenges } from './frame-challenge';
import { FrameRelay } from './frame-relay';
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
    onRejected,
  );
  relays.set(iframe, relay);
  return relay;
}

/**
 * Frames the background refused (site switched off, navigated, not attestable): their traffic is
 * ignored until their next document loads, which gets a fresh chance.
 */
const rejectedFrames = new WeakSet<HTMLIFrameElement>();
function onRejected(iframe: HTMLIFrameElement): void {
  rejectedFrames.add(iframe);
}

window.addEventListener('message', (event: MessageEvent) => {
  // A page can dispatch its own MessageEvent naming a child's window as `source` and any `origin`;
  // only a message the browser delivered is trusted (seen in Chromium 156: the forged one reached
  // this listener with the widget's source and origin, and acted with its grants).
  if (!event.isTrusted) return;
  const iframe = childIframeOf(event.source);
  if (!iframe) return; // the page itself, a sibling's child, or anything else that is not our child
  if (rejectedFrames.has(iframe)) return;
  const relay = relays.get(iframe);
  if (relay) {
    if (event.origin === relay.origin) relay.forward(event.data);
    return;
  }
  if (event.origin === 'null' || !v.is(FromWidgetRequest, event.data)) return;
  const created = startRelay(iframe, event.origin, false);
  created.forward(event.data);
});

// `load` does not bubble, but it can be captured at the document: this sees every iframe load,
// including iframes added later. A load after the relay's own document loaded means navigation.
document.addEventListener(
  'load',
  (event) => {
    const iframe = event.target;
    // A synthetic `load` from the page would make the relay believe the frame navigated.
    if (!event.isTrusted || !(iframe instanceof HTMLIFrameElement)) return;
    rejectedFrames.delete(iframe);
    const relay = relays.get(iframe);
    if (relay && !relay.hasSeenLoad) {
      relay.hasSeenLoad = true;
      return;
    }
    relay?.stop();
    const origin = originOfSrc(iframe);
    if (isMarked(iframe) && origin) startRelay(iframe, origin, true);
  },
  true,
);
