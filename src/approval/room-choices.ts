// The rooms the picker offers: the user's joined rooms, and the page's hint even when not joined
// (marked so), so a page can never make its hint silently disappear.
import type { ApprovalView, RoomChoice } from '../shared/protocol/background-to-ui';
import { t } from '../shared/ui/i18n';

export function roomChoices(view: ApprovalView): RoomChoice[] {
  const choices = [...view.rooms];
  if (view.roomHint && !choices.some((room) => room.roomId === view.roomHint)) {
    choices.unshift({ roomId: view.roomHint, name: t('approvalRoomNotJoined', view.roomHint) });
  }
  return choices;
}
