// A widget's activity log as sentences, newest first: what it asked for and what it got, in the words of
// the approval window (intents), and what it sent and read. Pure; the words are message keys.
// The background records an answered request as "granted <what was allowed>" then "denied <the rest>";
// when nothing was allowed (the user denied, or closed the window) only the denial is recorded, with no
// room (logs written before that have an empty "granted" first). Either reads as one sentence here:
// "Nothing was allowed: …", never "was granted" with nothing after it.
import { describeCapability, type Message } from './capability-description';
import { describeIntents } from './capability-intents';
import { isFactConsent } from './widget-template';

/** One recorded entry (the shape of the protocol's AuditEntry, which the core does not import). */
export type ActivityEntry = {
  at: number;
  action: 'asked' | 'granted' | 'denied' | 'sent' | 'read' | 'refused' | 'revoked';
  roomId: string | null;
  detail: string;
};

/**
 * One line: a sentence, and what it is about — permissions as intents (`items`), or what the widget
 * sent or read as the background recorded it (`detail`: event types and counts, never content).
 */
export type ActivityLine = { at: number; message: Message; items: Message[]; detail: string | null };

const message = (key: string, ...substitutions: (string | Message)[]): Message => ({ key, substitutions });

/** Permissions, as the approval window words them: template facts one by one, capabilities as intents. */
export function permissionItems(capabilities: readonly string[], roomId: string | null): Message[] {
  const facts = capabilities.filter(isFactConsent);
  const others = capabilities.filter((capability) => !isFactConsent(capability));
  return [
    ...facts.map((capability) => describeCapability(capability).message),
    ...describeIntents(others, roomId ?? undefined).map((intent) => intent.message),
  ];
}

function capabilitiesOf(detail: string): string[] {
  return detail.split(' ').filter((capability) => capability !== '');
}

const OF_ACTION: Record<'sent' | 'read' | 'refused', string> = { sent: 'activity_sent', read: 'activity_read', refused: 'activity_refused' };

/** The log (oldest first, as stored) as lines, newest first. */
export function describeActivity(entries: readonly ActivityEntry[]): ActivityLine[] {
  const lines: ActivityLine[] = [];
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index]!;
    const line = (key: string, items: Message[] = [], detail: string | null = null): ActivityLine => ({ at: entry.at, message: message(key), items, detail });
    switch (entry.action) {
      case 'asked':
        lines.push(line('activity_asked', permissionItems(capabilitiesOf(entry.detail), entry.roomId)));
        break;
      case 'granted': {
        const granted = capabilitiesOf(entry.detail);
        if (granted.length > 0) {
          lines.push(line('activity_granted', permissionItems(granted, entry.roomId)));
          break;
        }
        // Nothing allowed: the denial recorded with it says what the widget did not get.
        const next = entries[index + 1];
        const refused = next?.action === 'denied' ? capabilitiesOf(next.detail) : [];
        if (next?.action === 'denied') index++;
        lines.push(line('activity_nothingAllowed', permissionItems(refused, entry.roomId)));
        break;
      }
      case 'denied': {
        // No room chosen, and nothing granted with it: the whole request got nothing.
        const isNothingAllowed = entry.roomId === null && entries[index - 1]?.action !== 'granted';
        lines.push(line(isNothingAllowed ? 'activity_nothingAllowed' : 'activity_denied', permissionItems(capabilitiesOf(entry.detail), entry.roomId)));
        break;
      }
      case 'revoked':
        lines.push(entry.detail === 'everything' ? line('activity_revokedAll') : line('activity_revoked', permissionItems(capabilitiesOf(entry.detail), entry.roomId)));
        break;
      case 'sent':
      case 'read':
      case 'refused':
        lines.push(line(OF_ACTION[entry.action], [], entry.detail));
        break;
    }
  }
  return lines.reverse();
}
