// One pending request: who asks (site, widget, account), for which room, for what (grouped by
// risk, a checkbox each), and whether to remember. It is an extension window: no page can overlay it.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { describeCapability, RISK_ORDER, type Risk } from '../shared/core/capability-description';
import type { ApprovalView, RoomChoice } from '../shared/protocol/background-to-ui';
import { askBackground } from '../shared/ui/background-client';
import { render, t, type MessageKey } from '../shared/ui/i18n';
import { useArmedAfterFocus } from './arming';
import { RoomPicker } from './room-picker';
import { TemplateConsent } from './template-consent';

function roomChoices(view: ApprovalView): RoomChoice[] {
  const choices = [...view.rooms];
  if (view.roomHint && !choices.some((room) => room.roomId === view.roomHint)) {
    choices.unshift({ roomId: view.roomHint, name: t('approvalRoomNotJoined', view.roomHint) });
  }
  return choices;
}

export function ApprovalForm({ approvalId }: { approvalId: string }) {
  const [view, setView] = useState<ApprovalView | undefined>();
  const [error, setError] = useState('');
  const [roomId, setRoomId] = useState('');
  const [unchecked, setUnchecked] = useState<Set<string>>(new Set());
  const [remember, setRemember] = useState(true);
  const isArmed = useArmedAfterFocus(view !== undefined);

  useEffect(() => {
    void askBackground({ kind: 'getApproval', approvalId }).then((reply) => {
      if (!reply.ok) return setError(reply.error.message);
      setView(reply.value);
      setRoomId(reply.value.roomHint ?? reply.value.rooms[0]?.roomId ?? '');
    });
  }, [approvalId]);

  const groups = useMemo(() => {
    const byRisk = new Map<Risk, ReturnType<typeof describeCapability>[]>();
    for (const capability of view?.capabilities ?? []) {
      const description = describeCapability(capability);
      byRisk.set(description.risk, [...(byRisk.get(description.risk) ?? []), description]);
    }
    return RISK_ORDER.filter((risk) => byRisk.has(risk)).map((risk) => ({ risk, items: byRisk.get(risk) ?? [] }));
  }, [view]);

  const decide = async (isApproved: boolean) => {
    if (!view) return;
    const reply = await askBackground({
      kind: 'decideApproval',
      approvalId,
      roomId: isApproved && roomId ? roomId : null,
      approved: isApproved ? view.capabilities.filter((capability) => !unchecked.has(capability)) : [],
      remember,
    });
    if (reply.ok) window.close();
    else setError(reply.error.message);
  };

  const toggle = (capability: string, isChecked: boolean) => {
    const next = new Set(unchecked);
    if (isChecked) next.delete(capability);
    else next.add(capability);
    setUnchecked(next);
  };

  if (view?.purpose === 'template') return <TemplateConsent view={view} />;
  return (
    <>
      <h1>{view?.purpose === 'identity' ? t('approvalIdentityTitle') : t('approvalTitle')}</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {view && (
        <form
          id="approval"
          onSubmit={(event) => {
            event.preventDefault();
            void decide(true);
          }}
        >
          <dl class="card facts">
            <dt>{t('approvalSite')}</dt>
            <dd id="site-origin">{view.siteOrigin}</dd>
            <dt>{t('approvalWidget')}</dt>
            <dd>
              <strong id="widget-origin">{view.widgetOrigin}</strong>
              <div class="muted">
                <code id="widget-url">{view.widgetUrl}</code>
              </div>
            </dd>
            <dt>{t('approvalAccount')}</dt>
            <dd id="account">{view.account}</dd>
          </dl>
          {/* The Widget API answers through the embedding page, which can listen: no host can hide it. */}
          <p id="site-sees" class="muted">
            {t('approvalSiteSees', view.siteOrigin)}
          </p>
          {view.purpose === 'capabilities' && <RoomPicker rooms={roomChoices(view)} value={roomId} onChange={setRoomId} isFixed={view.isRoomFixed} />}
          <h2>{t('approvalItMay')}</h2>
          <div id="capabilities">
            {groups.map(({ risk, items }) => (
              <fieldset key={risk} data-risk={risk}>
                <legend>{t(`risk_${risk}` as MessageKey)}</legend>
                {items.map((item, index) => {
                  const id = `capability-${risk}-${index}`;
                  return (
                    <div key={item.raw} class="capability">
                      <input
                        type="checkbox"
                        id={id}
                        data-capability={item.raw}
                        checked={!unchecked.has(item.raw)}
                        onChange={(event) => toggle(item.raw, (event.currentTarget as HTMLInputElement).checked)}
                      />
                      <label for={id} class="inline">
                        {render(item.message)}
                      </label>
                      <div class="muted">
                        <code>{item.raw}</code>
                      </div>
                    </div>
                  );
                })}
              </fieldset>
            ))}
          </div>
          <label class="inline">
            <input id="remember" type="checkbox" checked={remember} onChange={(event) => setRemember((event.currentTarget as HTMLInputElement).checked)} />{' '}
            {t('approvalRemember')}
          </label>
          <div class="actions">
            <button id="approve" class="primary" type="submit" disabled={!isArmed}>
              {t('approve')}
            </button>
            <button id="deny" type="button" disabled={!isArmed} onClick={() => void decide(false)}>
              {t('deny')}
            </button>
          </div>
        </form>
      )}
    </>
  );
}
