// What a new document in a child frame ends: the hosts of its earlier documents and a port being
// attested for one of them. Never touches the top frame's state (its commit closes the tab's relays
// by itself).
import type { Services } from '../services';

export async function frameCommitted(
  services: Pick<Services, 'hosts' | 'frameSlots'>,
  tabId: number,
  frameId: number,
  committedAt: number,
): Promise<void> {
  // First, synchronously: a port being attested checks this when it registers its host.
  services.frameSlots.noteCommit(tabId, frameId, committedAt);
  await services.hosts.frameNavigated(tabId, frameId, committedAt);
}
