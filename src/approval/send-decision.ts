// The two answers every approval sends: its decision, and "Deny all" for the site. Each reply is the
// background's; a refusal (not armed yet, no longer pending) comes back as its message.
import { askBackground } from '../shared/ui/background-client';

/** The user's decision on one request: `approved` empty and `roomId` null deny it. */
export async function sendDecision(approvalId: string, roomId: string | null, approved: string[], remember: boolean): Promise<string | undefined> {
  const reply = await askBackground({ kind: 'decideApproval', approvalId, roomId, approved, remember });
  return reply.ok ? undefined : reply.error.message;
}

/** "Deny all": this request and every other one of its site; with `remember`, the site is switched off. */
export async function denyAllFromSite(approvalId: string, remember: boolean): Promise<string | undefined> {
  const reply = await askBackground({ kind: 'denyAllFromSite', approvalId, remember });
  return reply.ok ? undefined : reply.error.message;
}
