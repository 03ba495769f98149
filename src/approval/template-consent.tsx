// Loading a templated widget: the room it is for, and what its filled URL will tell the widget
// and the embedding site, with the values. After "Open widget" the window waits: the widget's
// capability request follows in this same window (the background loads it here), or it closes.
import { useState } from 'preact/hooks';
import type { ApprovalView, RoomChoice } from '../shared/protocol/background-to-ui';
import { askBackground } from '../shared/ui/background-client';
import { t, type MessageKey } from '../shared/ui/i18n';
import { useArmedAfterFocus } from './arming';
import { RoomPicker } from './room-picker';

type Fact = NonNullable<ApprovalView['template']>['facts'][number];

function roomChoices(view: ApprovalView): RoomChoice[] {
  const choices = [...view.rooms];
  if (view.roomHint && !choices.some((room) => room.roomId === view.roomHint)) {
    choices.unshift({ roomId: view.roomHint, name: t('approvalRoomNotJoined', view.roomHint) });
  }
  return choices;
}

function factText(fact: Fact): string {
  return t(`fact_${fact.fact}` as MessageKey, fact.value);
}

export function TemplateConsent({ view }: { view: ApprovalView }) {
  const [roomId, setRoomId] = useState(view.roomHint ?? view.rooms[0]?.roomId ?? '');
  const [remember, setRemember] = useState(true);
  const [isWaiting, setWaiting] = useState(false);
  const [error, setError] = useState('');
  const isArmed = useArmedAfterFocus(true);
  const widgetName = view.template?.widgetName || view.widgetOrigin;
  const facts = view.template?.facts ?? [];

  const decide = async (isApproved: boolean) => {
    const reply = await askBackground({
      kind: 'decideApproval',
      approvalId: view.approvalId,
      roomId: isApproved && roomId ? roomId : null,
      approved: isApproved ? view.capabilities : [],
      remember,
    });
    if (!reply.ok) return setError(reply.error.message);
    // Approved: the background shows the widget's own request here next, or closes the window.
    if (isApproved) setWaiting(true);
    else window.close();
  };

  if (isWaiting) {
    return (
      <p id="template-waiting" role="status" class="notice">
        {t('templateWaiting', widgetName)}
      </p>
    );
  }
  return (
    <form
      id="approval"
      data-purpose="template"
      onSubmit={(event) => {
        event.preventDefault();
        void decide(true);
      }}
    >
      <h1>{t('templateTitle', widgetName)}</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <p>
        <strong id="widget-origin">{t('templateFrom', view.widgetOrigin)}</strong>
        <br />
        <span class="muted">{t('templateOnSite', view.siteOrigin, view.account)}</span>
      </p>
      <span id="site-origin" hidden>
        {view.siteOrigin}
      </span>
      <RoomPicker rooms={roomChoices(view)} value={roomId} onChange={setRoomId} isFixed={false} />
      <h2>{t('templateItLearns')}</h2>
      <ul id="template-facts">
        {facts.map((fact) => (
          <li key={fact.fact} data-fact={fact.fact}>
            {factText(fact)}
          </li>
        ))}
      </ul>
      <p id="site-sees" class="muted">
        {t('templateSiteLearns', view.siteOrigin)}
      </p>
      <p class="muted">{t('templateNext')}</p>
      <label class="inline">
        <input id="remember" type="checkbox" checked={remember} onChange={(event) => setRemember((event.currentTarget as HTMLInputElement).checked)} />{' '}
        {t('approvalRemember')}
      </label>
      <div class="actions">
        <button id="approve" class="primary" type="submit" disabled={!isArmed || !roomId}>
          {t('templateOpen')}
        </button>
        <button id="deny" type="button" disabled={!isArmed} onClick={() => void decide(false)}>
          {t('deny')}
        </button>
      </div>
    </form>
  );
}
