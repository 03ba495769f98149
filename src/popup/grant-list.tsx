// Per widget and room: each granted capability with its own revoke, "revoke all", what was
// denied, and the widget's activity log.
import { useState } from 'preact/hooks';
import { describeCapability } from '../shared/core/capability-description';
import type { AuditEntry, GrantView } from '../shared/protocol/background-to-ui';
import { askBackground } from '../shared/ui/background-client';
import { render, t, type MessageKey } from '../shared/ui/i18n';
import type { Refresh } from './popup';

function widgetOf(grant: GrantView) {
  return { siteOrigin: grant.siteOrigin, widgetUrl: grant.widgetUrl, widgetId: grant.widgetId };
}

function when(timestamp: number): string {
  return new Date(timestamp).toLocaleString();
}

function Activity({ grant }: { grant: GrantView }) {
  const [entries, setEntries] = useState<AuditEntry[] | undefined>();
  const toggle = async (event: Event) => {
    if (!(event.currentTarget as HTMLDetailsElement).open || entries) return;
    const reply = await askBackground({ kind: 'getAudit', widget: widgetOf(grant) });
    setEntries(reply.ok ? reply.value : []);
  };
  return (
    <details onToggle={(event) => void toggle(event)}>
      <summary>{t('showActivity')}</summary>
      {entries && entries.length === 0 && <p class="muted">{t('noActivity')}</p>}
      <ol class="plain activity">
        {[...(entries ?? [])].reverse().map((entry, index) => (
          <li key={index}>
            <span class="muted">{when(entry.at)}</span> {t(`audit_${entry.action}` as MessageKey)} <code>{entry.detail}</code>
          </li>
        ))}
      </ol>
    </details>
  );
}

function GrantCard({ grant, refresh }: { grant: GrantView; refresh: Refresh }) {
  const revoke = async (capabilities: string[] | null) => {
    await askBackground({ kind: 'revokeGrant', widget: widgetOf(grant), roomId: grant.roomId, hostInstance: grant.hostInstance, capabilities });
    await refresh();
  };
  return (
    <li class="card" data-grant-room={grant.roomId} data-widget-url={grant.widgetUrl}>
      <strong title={grant.roomId}>{grant.widgetUrl}</strong>
      <div class="muted">
        {t('grantWhere', grant.siteOrigin, grant.roomName || '—')} · {t('grantWidgetId', grant.widgetId)}
        {grant.hostInstance && ` · ${t('grantThisPageOnly')}`} ·{' '}
        {grant.lastUsedAt ? t('grantLastUsed', when(grant.lastUsedAt)) : t('grantNeverUsed')}
      </div>
      <ul class="plain capabilities">
        {grant.granted.map((capability) => {
          const text = render(describeCapability(capability, grant.roomId).message);
          return (
            <li key={capability} class="row">
              <span title={capability}>✓ {text}</span>
              <button type="button" class="link" data-revoke={capability} aria-label={t('revokeLabel', text)} onClick={() => void revoke([capability])}>
                {t('revoke')}
              </button>
            </li>
          );
        })}
      </ul>
      {grant.denied.length > 0 && (
        <>
          <div class="muted">{t('deniedHeading')}</div>
          <ul class="plain capabilities">
            {grant.denied.map((capability) => (
              <li key={capability} class="muted" title={capability}>
                ✗ {render(describeCapability(capability, grant.roomId).message)}
              </li>
            ))}
          </ul>
        </>
      )}
      {grant.granted.length > 0 && (
        <button type="button" data-revoke-all onClick={() => void revoke(null)}>
          {t('revokeAll')}
        </button>
      )}
      <Activity grant={grant} />
    </li>
  );
}

export function GrantList({ grants, refresh }: { grants: GrantView[]; refresh: Refresh }) {
  return (
    <section aria-labelledby="grants-heading" id="grants">
      <h2 id="grants-heading">{t('grantsHeading')}</h2>
      {grants.length === 0 && <p class="muted">{t('noGrants')}</p>}
      <ul class="plain">
        {grants.map((grant) => (
          <GrantCard key={`${grant.siteOrigin}|${grant.widgetUrl}|${grant.widgetId}|${grant.roomId}|${grant.hostInstance}`} grant={grant} refresh={refresh} />
        ))}
      </ul>
    </section>
  );
}
