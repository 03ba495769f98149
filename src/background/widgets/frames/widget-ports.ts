// Accepts a content script's port for one widget frame: attests the frame (always through a frame
// challenge), takes its slot, then feeds the frame's messages to its host. The first message must
// announce the frame; anything else first is dropped.
import type { Runtime } from 'webextension-polyfill';
import { ContentToBackground } from '../../../shared/protocol/content-to-background';
import type { BackgroundToContent } from '../../../shared/protocol/background-to-content';
import { parseMessage } from '../../../shared/protocol/errors';
import { createLogger } from '../../../shared/log';
import type { Services } from '../../services';
import { attestWidgetFrame, FrameRejected, type AttestedFrame } from './frame-attestation';
import { TooManyChallenges } from './frame-challenges';
import { MAX_WIDGET_FRAMES_PER_TAB } from './frame-slots';
import { frameKey } from '../host/host-record';
import { WidgetHost } from '../host/widget-host';
import { WidgetPortSender } from './widget-port-sender';

const log = createLogger('bg:ports');

/**
 * The room a template load was approved for, if the relay named a load that was filled for exactly
 * this frame's embedder, site, widget and the active account (anything else is ignored: the
 * widget then negotiates as any other, with the room to choose).
 */
async function takenTemplateLoad(
  services: Services,
  loadId: string | undefined,
  frame: AttestedFrame,
  relayFrameId: number | undefined,
): Promise<{ roomId: string; holdKey: string } | undefined> {
  if (loadId === undefined || relayFrameId === undefined) return undefined;
  const account = await services.accounts.userId();
  if (account === undefined) return undefined;
  const load = await services.templateLoads.take(loadId, frame, relayFrameId, account);
  return load?.roomId ? { roomId: load.roomId, holdKey: load.loadId } : undefined;
}

export function acceptWidgetPort(port: Runtime.Port, services: Services): void {
  let host: Promise<WidgetHost | undefined> | undefined;
  /** The nonce of this port's frame challenge, withdrawn if the port goes first. */
  let challengeNonce: string | undefined;
  const sender = new WidgetPortSender((message: BackgroundToContent) => {
    try {
      port.postMessage(message);
    } catch {
      // The frame is gone; its host is disposed by onDisconnect.
    }
  });
  const send = sender.send.bind(sender);
  services.accounts.acquireSync();

  port.onMessage.addListener((raw: unknown) => {
    const parsed = parseMessage(ContentToBackground, raw);
    if (!parsed.ok) {
      log.warn('dropped malformed relay message', parsed.reason);
      return;
    }
    const message = parsed.value;
    switch (message.kind) {
      case 'frameAnnounced':
        if (host) return;
        host = (async () => {
          // A commit in the frame after this moment is of a newer document than the one this port
          // relays for; it may arrive before the host exists (the challenge takes a round trip).
          const startedAt = Date.now();
          let claimed: AttestedFrame | undefined;
          try {
            const frame = await attestWidgetFrame(port.sender ?? {}, message, services.listFrames, (scope) => {
              const { nonce, answered } = services.frameChallenges.issue(scope);
              challengeNonce = nonce;
              send({ kind: 'frameChallenge', nonce });
              return answered;
            });
            // Taken at once (no await since the frame was chosen): one host per frame, however many
            // ports race for it, and a bounded number per tab.
            const slot = services.frameSlots.claim(frame.tabId, frame.frameId);
            if (slot !== 'claimed') {
              // One live port per widget frame; a second one is a confused or forged relay.
              const reason = slot === 'tabFull' ? `This tab has too many widget frames (at most ${MAX_WIDGET_FRAMES_PER_TAB})` : 'This frame is already hosted';
              send({ kind: 'frameRejected', reason, isForPreviousDocument: false });
              return undefined;
            }
            claimed = frame;
            if (!(await services.sites.isEnabled(frame.siteOrigin))) {
              send({ kind: 'frameRejected', reason: 'The extension is switched off for this site', isForPreviousDocument: false });
              return undefined;
            }
            const key = frameKey(frame.tabId, frame.frameId);
            const saved = await services.hostRecords.load(key);
            const templateLoad = await takenTemplateLoad(services, message.templateLoadId, frame, port.sender?.frameId);
            // Registration: no await from here until the host is in the registry.
            if (services.frameSlots.hasCommitSince(frame.tabId, frame.frameId, startedAt)) {
              // The frame navigated while this port was attested: the document it relayed for is gone.
              send({ kind: 'frameRejected', reason: 'The frame navigated', isForPreviousDocument: true });
              return undefined;
            }
            // A record is resumed only by the document it was negotiated for: not after a later commit.
            const isRecordCurrent = saved !== undefined && !services.frameSlots.hasCommitSince(frame.tabId, frame.frameId, saved.createdAt);
            const record = message.isResumed && saved?.widgetUrl === frame.widgetUrl && isRecordCurrent ? saved : undefined;
            if (saved && !record) {
              // This frame's only host is the one registered now: a record it does not resume is an
              // earlier document's, and nobody may resume it later (nor its page-load decisions).
              void services.hostRecords
                .remove(key)
                .then(() => services.grants.dropInstanceDecisions(saved.hostInstance))
                .catch(() => undefined);
            }
            const created = new WidgetHost(
              {
                target: {
                  frame,
                  key,
                  roomHint: message.roomHint,
                  ...(templateLoad ? { templateLoad } : {}),
                  // A resumed host speaks for the document its record was negotiated for.
                  createdAt: record ? Math.min(startedAt, record.createdAt) : startedAt,
                },
                port: {
                  post: (widgetMessage) => sender.toWidget(widgetMessage),
                  reject: (reason, isForPreviousDocument = false) => send({ kind: 'frameRejected', reason, isForPreviousDocument }),
                },
                account: services.accounts.pinned(),
                decisions: { grants: services.grants, approvals: services.approvals, audit: services.audit, records: services.hostRecords },
                now: Date.now,
              },
              record,
            );
            services.hosts.add(created);
            if (message.isResumed && !record) void resumeAsking(services, created, key, frame).catch(() => undefined);
            return created;
          } catch (error) {
            log.warn('widget frame rejected', String(error));
            // Reasons the background wrote itself (they name no secret); anything else stays generic.
            const reason = error instanceof FrameRejected || error instanceof TooManyChallenges ? error.message : 'This frame cannot be hosted';
            send({ kind: 'frameRejected', reason, isForPreviousDocument: false });
            return undefined;
          } finally {
            if (claimed) services.frameSlots.release(claimed.tabId, claimed.frameId);
          }
        })();
        return;
      case 'widgetMessageRelayed':
        if (!host) {
          log.warn('dropped a widget message before the frame was announced');
          return;
        }
        void host.then((ready) => ready?.handle(message.origin, message.message));
        return;
      case 'keepAlive':
        return;
      case 'pageVisibilityChanged':
        void host?.then((ready) => ready?.setPageVisibility(message.isVisible));
        return;
      case 'pushSuppressed':
        void host?.then((ready) => ready?.pushSuppressed(message.requestId));
        return;
    }
  });

  port.onDisconnect.addListener(() => {
    services.accounts.releaseSync();
    if (challengeNonce) services.frameChallenges.withdraw(challengeNonce);
    void host?.then(async (ready) => {
      if (!ready) return;
      services.hosts.remove(ready);
      await ready.dispose();
    });
  });
}

/**
 * A relay back after a stopped worker, for a frame whose widget was being asked about: its new host
 * takes the open request up (same widget URL, no document committed in the frame since).
 */
async function resumeAsking(services: Services, host: WidgetHost, key: string, frame: AttestedFrame): Promise<void> {
  const prior = await services.approvals.askedBefore(key);
  if (!prior || prior.widgetUrl !== frame.widgetUrl) return;
  if (services.frameSlots.hasCommitSince(frame.tabId, frame.frameId, prior.askedAt)) return;
  host.resumeAsking(prior.widgetId, prior.requested);
}
