// Establishes which frame a widget port speaks for, from what the browser attests: the sender's
// tab and frame, and webNavigation's list of frames. The relay's claims only narrow the choice.
import browser, { type Runtime } from 'webextension-polyfill';
import { siteOf, widgetUrlOf } from '../../shared/core/widget-identity';
import type { FrameAnnounced } from '../../shared/protocol/content-to-background';

export type AttestedFrame = {
  tabId: number;
  /** The widget frame itself (a child of the frame whose content script relays for it). */
  frameId: number;
  /** The top-level page's origin (the per-site switch applies to it). */
  siteOrigin: string;
  /** The top page's origin, plus the embedding frame's when that is another origin (`siteOf`). */
  widgetSite: string;
  widgetOrigin: string;
  widgetUrl: string;
  /** The full URL of the widget document, query included; used only to read the widget's own claims. */
  documentUrl: string;
};

export class FrameRejected extends Error {}

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

export async function attestWidgetFrame(
  sender: Runtime.MessageSender,
  claim: FrameAnnounced,
): Promise<AttestedFrame> {
  const tabId = sender.tab?.id;
  const relayFrameId = sender.frameId;
  const siteOrigin = originOf(sender.tab?.url);
  if (tabId === undefined || relayFrameId === undefined || !siteOrigin) {
    throw new FrameRejected('port does not come from a content script in a web page');
  }
  if (!/^https?:$/.test(new URL(siteOrigin).protocol)) throw new FrameRejected('not a web page');
  const frames = (await browser.webNavigation.getAllFrames({ tabId })) ?? [];
  const candidates = frames.filter(
    (frame) => frame.parentFrameId === relayFrameId && originOf(frame.url) === claim.widgetOrigin,
  );
  const claimedPath = originOf(claim.frameSrc) ? widgetUrlOf(claim.frameSrc) : undefined;
  const exact = candidates.filter((frame) => frame.url === claim.frameSrc);
  const samePath = candidates.filter((frame) => claimedPath !== undefined && widgetUrlOf(frame.url) === claimedPath);
  // Only an unambiguous match is trusted: two same-origin children with the same URL cannot be
  // told apart from here (TODO(#7): attest from the widget frame's own content script instead).
  const chosen = candidates.length === 1 ? candidates[0] : exact.length === 1 ? exact[0] : samePath.length === 1 ? samePath[0] : undefined;
  if (!chosen) {
    throw new FrameRejected(
      candidates.length === 0
        ? 'no child frame of the claimed origin exists under the relaying frame'
        : 'several child frames match and they cannot be told apart',
    );
  }
  // The relaying frame is the widget's embedder: the top page, or a frame nested in it.
  const embedderOrigin = originOf(sender.url) ?? siteOrigin;
  return {
    tabId,
    frameId: chosen.frameId,
    siteOrigin,
    widgetSite: siteOf(siteOrigin, embedderOrigin),
    widgetOrigin: claim.widgetOrigin,
    widgetUrl: widgetUrlOf(chosen.url),
    documentUrl: chosen.url,
  };
}
