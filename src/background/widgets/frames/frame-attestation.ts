// Establishes which frame a widget port speaks for, from what the browser attests: the sender's
// tab and frame, webNavigation's list of frames and the sender of the challenge's answer. The
// relay's claim (the origin) only narrows it; never the page's `src` attribute.
import type { Runtime } from 'webextension-polyfill';
import { siteOf, widgetUrlOf } from '../../../shared/core/widget-identity';
import type { FrameAnnounced } from '../../../shared/protocol/content-to-background';
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

/** A frame as `webNavigation.getAllFrames` lists it. */
export type ListedFrame = { frameId: number; parentFrameId: number; url: string };
/** The frames of a tab, from the browser (`adapters/web-navigation.ts`; a fake in unit tests). */
export type ListFrames = (tabId: number) => Promise<readonly ListedFrame[]>;

/** The port is refused; the message is the reason the relay is given (it names no secret). */
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
  listFrames: ListFrames,
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
    (await listFrames(tabId)).filter((frame) => frame.parentFrameId === relayFrameId && originOf(frame.url) === claim.widgetOrigin);
  const candidates = await childrenOfOrigin();
  if (candidates.length === 0) throw new FrameRejected('no child frame of the claimed origin exists under the relaying frame');
  // Which child is the relay's iframe is always asked of the frames themselves, even when only one
  // child has the claimed origin: the relay's iframe may hold a document of another origin by now
  // (the page navigated it; its `src` attribute still names the widget), and taking the only child
  // of that origin would bind this port to a sibling, whose own port would then be refused.
  const answered = await challenge({ tabId, relayFrameId, widgetOrigin: claim.widgetOrigin, candidates: candidates.map((frame) => frame.frameId) });
  // The frame list again: the answering document must still be the frame's document.
  const chosen = (await childrenOfOrigin()).find((frame) => frame.frameId === answered.frameId && widgetUrlOf(frame.url) === widgetUrlOf(answered.url));
  if (!chosen) throw new FrameRejected('the frame that answered the challenge changed meanwhile');
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
