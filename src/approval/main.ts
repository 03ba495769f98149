// The approval window: shows one pending request and returns one decision. It is an extension
// window, so no page can overlay it; its buttons arm only after a delay and with focus.
import type { ApprovalView } from '../shared/protocol/background-to-ui';
import { describeCapability } from '../shared/core/capability-description';
import { askBackground } from '../shared/ui/background-client';
import { byId, element } from '../shared/ui/dom';

/** Long enough that a click aimed at the page before the window appeared cannot land on "Allow". */
const ARM_DELAY_MS = 800;

const approvalId = new URLSearchParams(location.search).get('approval') ?? '';

function render(view: ApprovalView): void {
  byId('site-origin').textContent = view.siteOrigin;
  byId('widget-origin').textContent = view.widgetOrigin;
  byId('widget-url').textContent = view.widgetUrl;
  byId('account').textContent = view.account;
  const rooms = byId<HTMLSelectElement>('room');
  const choices = [...view.rooms];
  if (view.roomHint && !choices.some((room) => room.roomId === view.roomHint)) {
    choices.unshift({ roomId: view.roomHint, name: `${view.roomHint} (you are not in this room)` });
  }
  for (const room of choices) {
    const option = element('option', { value: room.roomId }, room.name === room.roomId ? room.roomId : `${room.name} (${room.roomId})`);
    option.selected = room.roomId === view.roomHint;
    rooms.append(option);
  }
  const list = byId('capabilities');
  view.capabilities.forEach((capability, index) => {
    const id = `capability-${index}`;
    const description = describeCapability(capability);
    const box = element('input', { type: 'checkbox', id, 'data-capability': capability });
    box.checked = true;
    list.append(element('li', {}, box, element('label', { for: id, style: 'display:inline;font-weight:normal' }, ` ${description.text}`), element('div', { class: 'muted' }, element('code', {}, capability))));
  });
  byId('approval').hidden = false;
  armAfterDelay();
}

function armAfterDelay(): void {
  const arm = (): void => {
    byId<HTMLButtonElement>('approve').disabled = false;
    byId<HTMLButtonElement>('deny').disabled = false;
  };
  setTimeout(() => {
    if (document.hasFocus()) arm();
    else window.addEventListener('focus', () => setTimeout(arm, ARM_DELAY_MS), { once: true });
  }, ARM_DELAY_MS);
}

async function decide(isApproved: boolean): Promise<void> {
  const approved = isApproved
    ? [...document.querySelectorAll<HTMLInputElement>('input[data-capability]')]
        .filter((box) => box.checked)
        .map((box) => box.dataset['capability'] ?? '')
    : [];
  const roomId = byId<HTMLSelectElement>('room').value;
  const reply = await askBackground({
    kind: 'decideApproval',
    approvalId,
    roomId: isApproved && roomId ? roomId : null,
    approved,
    remember: byId<HTMLInputElement>('remember').checked,
  });
  if (reply.ok) window.close();
  else byId('load-error').textContent = reply.error.message;
}

byId<HTMLFormElement>('approval').addEventListener('submit', (event) => {
  event.preventDefault();
  void decide(true);
});
byId('deny').addEventListener('click', () => void decide(false));

void askBackground({ kind: 'getApproval', approvalId }).then((reply) => {
  if (reply.ok) render(reply.value);
  else byId('load-error').textContent = reply.error.message;
});
