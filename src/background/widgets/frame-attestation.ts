// Establishes which frame a widget port speaks for, from what the browser attests: the sender's
// tab and frame, webNavigation's list of frames and, when several children share the widget's
// origin, the sender of the challenge's answer. The relay's claim (the origin) only narrows it.
import browser, { type Runtime } from 'webextension-polyfill';
import { siteOf, widgetUrlOf } from '../../shared/core/widget-identity';
import type { FrameAnnounced } from '../../shared/protocol/content-to-background';
import type { AnsweringFrame, ChallengeScope } from './frame-challenges';

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

/** Asks the content script in the relay's own iframe to identify itself (see `FrameChallenges`). */
export type ChallengeFrame = (scope: ChallengeScope) => Promise<AnsweringFrame>;

export async function attestWidgetFrame(
  sender: Runtime.MessageSender,
  claim: FrameAnnounced,
  challenge: ChallengeFrame,
): Promise<AttestedFrame> {
  const tabId = sender.tab?.id;
  const relayFrameId = sender.frameId;
  const siteOrigin = originOf(sender.tab?.url);
  if (tabId === undefined || relayFrameId === undefined || !siteOrigin) {
    throw new FrameRejected('port does not come from a content script in a web page');
  }
  if (!/^https?:$/.test(new URL(siteOrigin).protocol)) throw new FrameRejected('not a web page');
  const childrenOfOrigin = async () =>
    ((await browser.webNavigation.getAllFrames({ tabId })) ?? []).filter(
      (frame) => frame.parentFrameId === relayFrameId && originOf(frame.url) === claim.widgetOrigin,
    );
  const candidates = await childrenOfOrigin();
  if (candidates.length === 0) throw new FrameRejected('no child frame of the claimed origin exists under the relaying frame');
  // One child of that origin: the relay's messages (checked against that origin) can only be its.
  // Several: which one is the relay's iframe is asked of the frames themselves, never taken from the
  // page's `src` attribute, which stays put when the page navigates the frame elsewhere.
  let chosen = candidates.length === 1 ? candidates[0] : undefined;
  if (!chosen) {
    const answered = await challenge({ tabId, relayFrameId, widgetOrigin: claim.widgetOrigin, candidates: candidates.map((frame) => frame.frameId) });
    // The frame list again: the answering document must still be the frame's document.
    chosen = (await childrenOfOrigin()).find((frame) => frame.frameId === answered.frameId && widgetUrlOf(frame.url) === widgetUrlOf(answered.url));
    if (!chosen) throw new FrameRejected('the frame that answered the challenge changed meanwhile');
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
