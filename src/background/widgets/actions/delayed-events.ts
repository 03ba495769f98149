// update_delayed_event (MSC4157): cancel, restart or send now a delayed event. Only delayed events
// this widget instance scheduled: the user's other delayed events (another widget's, a client's)
// are not its to touch.
import { MatrixCapabilities } from 'matrix-widget-api';
import { hasCapability } from '../../../shared/core/grant-policy';
import { UpdateDelayedEventData } from '../../../shared/protocol/widget-api';
import { updateDelayedEvent as update } from './room-actions';
import { WidgetRequestRefused } from './widget-errors';
import { parseData, type ActionContext, type ActionResult } from './action-context';

export async function updateDelayedEvent(context: ActionContext, data: unknown): Promise<ActionResult> {
  const { delay_id: delayId, action } = parseData(UpdateDelayedEventData, data, 'update_delayed_event');
  if (!hasCapability(await context.approved(), MatrixCapabilities.MSC4157UpdateDelayedEvent)) {
    throw new WidgetRequestRefused('Not allowed to update delayed events: the capability was not granted');
  }
  if (!context.ownsDelayId(delayId)) throw new WidgetRequestRefused('This widget did not schedule that delayed event');
  await update(await context.homeserver(), delayId, action);
  context.audit('sent', null, `delayed event ${action}`);
  return {};
}
