// Loading a templated widget: the room it is for, and what its filled URL will tell the widget
// and the embedding site, with the values. After "Open widget" the window waits: the widget's
// capability request follows in this same window (the background loads it here), or it closes.
import { useState } from 'preact/hooks';
import type { ApprovalView } from '../shared/protocol/background-to-ui';
import { denyAllFromSite, sendDecision } from './send-decision';
import { t, type MessageKey } from '../shared/ui/i18n';
import { useArmedAfterFocus } from './arming';
import { ConsentPage, DecisionBar } from './consent-page';
import { RoomPicker } from './room-picker';
import { roomChoices } from './room-choices';

type Fact = NonNullable<ApprovalView['template']>['facts'][number];

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

  const denyAll = async () => {
    const refusal = await denyAllFromSite(view.approvalId, remember);
    if (refusal === undefined) window.close();
    else setError(refusal);
  };

  const decide = async (isApproved: boolean) => {
    const refusal = await sendDecision(view.approvalId, isApproved && roomId ? roomId : null, isApproved ? view.capabilities : [], remember);
    if (refusal !== undefined) return setError(refusal);
    // Approved: the background shows the widget's own request here next, or closes the window.
    if (isApproved) setWaiting(true);
    else window.close();
  };

  if (isWaiting) {
    return (
      <p id="template-waiting" role="status" class="notice page-message">
        {t('templateWaiting', widgetName)}
      </p>
    );
  }
  return (
    <ConsentPage
      id="approval"
      purpose="template"
      eyebrow={t('templateEyebrow')}
      title={t('templateTitle', widgetName)}
      subtitle={
        <>
          <strong id="widget-origin">{t('templateFrom', view.widgetOrigin)}</strong> <span class="muted">{t('templateOnSite', view.siteOrigin, view.account)}</span>
          <span id="site-origin" hidden>
            {view.siteOrigin}
          </span>
        </>
      }
      error={error}
      onSubmit={() => void decide(true)}
      footer={
        <DecisionBar
          remember={remember}
          onRemember={setRemember}
          isArmed={isArmed}
          canApprove={roomId !== ''}
          approveLabel={t('templateOpen')}
          onDeny={() => void decide(false)}
          sitePendingCount={view.sitePendingCount}
          onDenyAll={() => void denyAll()}
        />
      }
    >
      <RoomPicker rooms={roomChoices(view)} value={roomId} onChange={setRoomId} isFixed={false} />
      <h2>{t('templateItLearns')}</h2>
      <ul id="template-facts" class="facts-list">
        {facts.map((fact) => (
          <li key={fact.fact} data-fact={fact.fact}>
            {factText(fact)}
          </li>
        ))}
      </ul>
      <p id="site-sees" class="muted">
        {t('templateSiteLearns', view.siteOrigin)}
      </p>
      <p class="next-step">{t('templateNext')}</p>
    </ConsentPage>
  );
}
