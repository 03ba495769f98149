// What a new document in a child frame ends: the hosts of its earlier documents, a port being
// attested for one of them, and a host record stored for one while no host was live (a stopped
// worker). Never touches the top frame's state (its commit closes the tab's relays by itself).
import type { Services } from '../../services';
import { frameKey } from '../host/host-record';

export async function frameCommitted(
  services: Pick<Services, 'hosts' | 'frameSlots' | 'hostRecords' | 'grants'>,
  tabId: number,
  frameId: number,
  committedAt: number,
): Promise<void> {
  // First, synchronously: a port being attested checks this when it registers its host.
  services.frameSlots.noteCommit(tabId, frameId, committedAt);
  await services.hosts.frameNavigated(tabId, frameId, committedAt);
  // A record negotiated before this commit is an earlier document's: a relay that reconnects with
  // `isResumed` (its worker was stopped meanwhile) must not get it, nor its page-load decisions.
  const key = frameKey(tabId, frameId);
  const record = await services.hostRecords.load(key);
  if (!record || record.createdAt >= committedAt || services.hosts.hasFrame(tabId, frameId)) return;
  await services.hostRecords.remove(key);
  await services.grants.dropInstanceDecisions(record.hostInstance);
}
