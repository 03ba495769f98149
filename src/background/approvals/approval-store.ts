// Pending approvals in storage.session: each request as its window reads it, and beside it what the
// queue needs to take it up again after a stopped worker (issue #18, finding 8): the key identical
// requests join under, where it came from, its window, and when the window first showed it (the
// arming delay holds across the stop).
import * as v from 'valibot';
import { readSession, removeSession, sessionEntries, writeSession } from '../adapters/session-storage';
import { PendingApproval } from './pending-approval';

const REQUEST_PREFIX = 'approval:';
const META_PREFIX = 'approval-meta:';

// The join key is not stored: it holds the whole capability list, and is computed again from the request.
const ApprovalMeta = v.object({
  origin: v.object({ siteOrigin: v.string(), tabId: v.optional(v.number()), frameKey: v.optional(v.string()) }),
  /** When the request was made (local clock): a frame that committed a document since is another widget. */
  askedAt: v.number(),
  windowId: v.optional(v.number()),
  viewedAt: v.optional(v.number()),
});
export type ApprovalMeta = v.InferOutput<typeof ApprovalMeta>;

export type StoredApproval = { approvalId: string; request: PendingApproval; meta: ApprovalMeta };

/** Identical requests (same widget, room, purpose, capabilities, tab) join under one key. */
export function joinKeyOf(pending: PendingApproval, tabId: number | undefined): string {
  const { account, siteOrigin, widgetUrl, widgetId } = pending.identity;
  return JSON.stringify([
    [account, siteOrigin, widgetUrl, widgetId],
    pending.roomHint,
    pending.purpose ?? 'capabilities',
    pending.isRoomFixed ?? false,
    [...pending.capabilities].sort(),
    pending.template?.holdKey ?? null,
    tabId ?? null,
  ]);
}

export function metaFor(
  origin: { siteOrigin: string; tabId: number | undefined; frameKey?: string | undefined },
  askedAt: number,
  windowId: number | undefined,
  viewedAt: number | undefined,
): ApprovalMeta {
  return {
    askedAt,
    origin: {
      siteOrigin: origin.siteOrigin,
      ...(origin.tabId === undefined ? {} : { tabId: origin.tabId }),
      ...(origin.frameKey === undefined ? {} : { frameKey: origin.frameKey }),
    },
    ...(windowId === undefined ? {} : { windowId }),
    ...(viewedAt === undefined ? {} : { viewedAt }),
  };
}

export async function storeApproval(approvalId: string, request: PendingApproval, meta: ApprovalMeta): Promise<void> {
  await writeSession(META_PREFIX + approvalId, meta);
  await writeSession(REQUEST_PREFIX + approvalId, request);
}

/** Rewrites the small part only (the request itself can be tens of KB). */
export async function updateMeta(approvalId: string, meta: ApprovalMeta): Promise<void> {
  await writeSession(META_PREFIX + approvalId, meta);
}

export async function readRequest(approvalId: string): Promise<v.InferOutput<typeof PendingApproval> | undefined> {
  return parsedRequest(await readSession(REQUEST_PREFIX + approvalId));
}

function parsedRequest(stored: unknown): v.InferOutput<typeof PendingApproval> | undefined {
  const parsed = v.safeParse(PendingApproval, stored);
  return parsed.success ? parsed.output : undefined;
}

export async function removeApproval(approvalId: string): Promise<void> {
  await removeSession(REQUEST_PREFIX + approvalId);
  await removeSession(META_PREFIX + approvalId);
}

/** What a stopped worker left; anything unreadable or half-written is removed. */
export async function readStoredApprovals(): Promise<StoredApproval[]> {
  // One read of everything: this runs as a new worker starts.
  const stored = await sessionEntries();
  const keys = Object.keys(stored);
  const found: StoredApproval[] = [];
  for (const key of keys) {
    if (!key.startsWith(REQUEST_PREFIX)) continue;
    const approvalId = key.slice(REQUEST_PREFIX.length);
    const request = parsedRequest(stored[key]);
    const meta = v.safeParse(ApprovalMeta, stored[META_PREFIX + approvalId]);
    if (request && meta.success) found.push({ approvalId, request, meta: meta.output });
    else await removeApproval(approvalId);
  }
  // A meta record whose request is gone is of no use.
  for (const key of keys) {
    if (key.startsWith(META_PREFIX) && !found.some(({ approvalId }) => META_PREFIX + approvalId === key)) await removeSession(key);
  }
  return found;
}
