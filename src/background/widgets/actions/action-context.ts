// What every fromWidget action handler gets from its host: the client (with the host's lane at the
// account's request gate), the capabilities the grant store allows right now, the bound room, and the
// audit log. Handlers never see the frame or port.
import * as v from 'valibot';
import type { AuditEntry } from '../../../shared/protocol/background-to-ui';
import { describeIssues } from '../../../shared/protocol/errors';
import type { Homeserver } from './room-actions';
import { WidgetRequestRefused } from './widget-errors';

export type ActionContext = {
  /** The account's client; homeserver calls made for the widget go through `request`/`throughGate` with it. */
  homeserver: () => Promise<Homeserver>;
  /** Re-read from the grant store on every call: the store is the authority. */
  approved: () => Promise<string[]>;
  /** The room the user bound the widget to, or null when it has none. */
  boundRoom: () => Promise<string | null>;
  audit: (action: AuditEntry['action'], roomId: string | null, detail: string) => void;
  markUsed: (roomId: string) => void;
  /** Delayed events this widget scheduled: the only ones it may update (MSC4157). */
  rememberDelayId: (delayId: string) => void;
  ownsDelayId: (delayId: string) => boolean;
  /** The transaction id of the request being handled: the same when the request is delivered again. */
  transactionId: () => Promise<string>;
};

export type ActionResult = Record<string, unknown>;

/** Parses an action's data, or refuses the request with what was wrong (never echoing the data). */
export function parseData<S extends v.GenericSchema>(schema: S, data: unknown, action: string): v.InferOutput<S> {
  const parsed = v.safeParse(schema, data);
  if (!parsed.success) throw new WidgetRequestRefused(`Invalid ${action} request: ${describeIssues(parsed.issues)}`);
  return parsed.output;
}

export async function requireBoundRoom(context: ActionContext): Promise<string> {
  const roomId = await context.boundRoom();
  if (!roomId) throw new WidgetRequestRefused('This widget has not been granted access to a room');
  return roomId;
}
