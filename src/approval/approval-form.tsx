// One pending request: who asks (widget and site), for which room, what it will be able to do (as
// intents, from what would be granted), each capability under the details, and the decision. It is
// an extension window: no page can overlay it.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { isFactConsent } from '../shared/core/widget-template';
import type { ApprovalView } from '../shared/protocol/background-to-ui';
import { askBackground } from '../shared/ui/background-client';
import { denyAllFromSite, sendDecision } from './send-decision';
import { t, tWith } from '../shared/ui/i18n';
import { useArmedAfterFocus } from './arming';
import { CapabilityDetails } from './capability-details';
import { ConsentPage, DecisionBar } from './consent-page';
import { IntentList } from './intent-list';
import { roomChoices } from './room-choices';
import { RoomPicker } from './room-picker';
import { TemplateConsent } from './template-consent';

export function ApprovalForm({ approvalId }: { approvalId: string }) {
  const [view, setView] = useState<ApprovalView | undefined>();
  const [error, setError] = useState('');

  useEffect(() => {
    void askBackground({ kind: 'getApproval', approvalId }).then((reply) => {
      if (!reply.ok) return setError(reply.error.message);
      setView(reply.value);
    });
  }, [approvalId]);

  if (!view) {
    return error ? (
      <p class="error page-message" role="alert">
        {error}
      </p>
    ) : null;
  }
  // A template consent hands over to the widget's own request in this window: a new view, new state.
  if (view.purpose === 'template') return <TemplateConsent key={view.approvalId} view={view} />;
  return <CapabilityRequest key={view.approvalId} view={view} />;
}

function CapabilityRequest({ view }: { view: ApprovalView }) {
  const [error, setError] = useState('');
  const [roomId, setRoomId] = useState(view.roomHint ?? view.rooms[0]?.roomId ?? '');
  const [unchecked, setUnchecked] = useState<ReadonlySet<string>>(new Set());
  const [remember, setRemember] = useState(true);
  const isArmed = useArmedAfterFocus(true);
  // Fact consents were asked before the widget loaded; they are never shown as capabilities.
  const requested = useMemo(() => view.capabilities.filter((capability) => !isFactConsent(capability)), [view]);
  const approved = useMemo(() => requested.filter((capability) => !unchecked.has(capability)), [requested, unchecked]);
  const isIdentity = view.purpose === 'identity';

  const closeOr = (refusal: string | undefined) => (refusal === undefined ? window.close() : setError(refusal));
  const denyAll = async () => closeOr(await denyAllFromSite(view.approvalId, remember));
  const decide = async (isApproved: boolean) =>
    closeOr(await sendDecision(view.approvalId, isApproved && roomId ? roomId : null, isApproved ? approved : [], remember));

  const toggle = (capability: string, isChecked: boolean) => {
    const next = new Set(unchecked);
    if (isChecked) next.delete(capability);
    else next.add(capability);
    setUnchecked(next);
  };

  return (
    <ConsentPage
      id="approval"
      purpose={view.purpose}
      eyebrow={isIdentity ? t('approvalIdentityTitle') : t('approvalTitle')}
      title={<span id="widget-origin">{view.widgetOrigin}</span>}
      subtitle={
        <>
          {tWith(
            'approvalSubtitle',
            <strong id="site-origin">{view.siteOrigin}</strong>,
            <strong id="account">{view.account}</strong>,
          )}
        </>
      }
      error={error}
      onSubmit={() => void decide(true)}
      footer={
        <DecisionBar
          remember={remember}
          onRemember={setRemember}
          isArmed={isArmed}
          canApprove={isIdentity || roomId !== ''}
          approveLabel={t('approve')}
          onDeny={() => void decide(false)}
          sitePendingCount={view.sitePendingCount}
          onDenyAll={() => void denyAll()}
        />
      }
    >
      <p class="widget-url muted">
        <code id="widget-url">{view.widgetUrl}</code>
      </p>
      {view.purpose === 'capabilities' && <RoomPicker rooms={roomChoices(view)} value={roomId} onChange={setRoomId} isFixed={view.isRoomFixed} />}
      <h2>{t('approvalItMay')}</h2>
      <IntentList capabilities={approved} roomId={roomId} />
      {/* The Widget API answers through the embedding page, which can listen: no host can hide it. */}
      <p id="site-sees" class="muted">
        {t('approvalSiteSees', view.siteOrigin)}
      </p>
      {!isIdentity && <CapabilityDetails capabilities={requested} roomId={roomId} unchecked={unchecked} onToggle={toggle} />}
    </ConsentPage>
  );
}
