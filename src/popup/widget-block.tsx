// One widget on a site: per room, what it may do (the approval window's intents) with a revoke for
// each, what was refused, the raw capabilities behind a disclosure, "Revoke all"; then its activity.
import { useEffect, useState } from 'preact/hooks';
import { describeActivity } from '../shared/core/activity';
import { describeCapability } from '../shared/core/capability-description';
import { describeIntents, type Intent } from '../shared/core/capability-intents';
import { parseCapability } from '../shared/core/capability';
import { NESTED_SITE_SEPARATOR } from '../shared/core/widget-identity';
import type { AuditEntry, GrantView } from '../shared/protocol/background-to-ui';
import { askBackground } from '../shared/ui/background-client';
import { Button, Disclosure } from '../shared/ui/components';
import { render, t, type MessageKey } from '../shared/ui/i18n';
import { widgetName } from './widget-names';
import type { Refresh } from './popup';

export type WidgetKey = { siteOrigin: string; widgetUrl: string; widgetId: string };

function when(timestamp: number): string {
  return new Date(timestamp).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

export function WidgetBlock({ widget, grants, refresh }: { widget: WidgetKey; grants: GrantView[]; refresh: Refresh }) {
  const embeddedBy = widget.siteOrigin.split(NESTED_SITE_SEPARATOR).slice(1).join(NESTED_SITE_SEPARATOR);
  return (
    <div class="widget-block" data-widget-url={widget.widgetUrl} data-widget-id={widget.widgetId}>
      <div class="widget-title">
        <strong title={widget.widgetUrl}>{widgetName(widget.widgetUrl)}</strong>
      </div>
      <p class="muted small">
        {embeddedBy ? t('widgetIdEmbeddedBy', widget.widgetId, embeddedBy) : t('grantWidgetId', widget.widgetId)}
      </p>
      {grants.map((grant) => (
        <GrantRow key={`${grant.roomId}|${grant.hostInstance}`} grant={grant} refresh={refresh} />
      ))}
      <Activity widget={widget} grants={grants} />
    </div>
  );
}

/** The capabilities an intent stands for itself; the `m.timeline:` ones that widen it belong to every such intent. */
function ownCapabilities(intent: Intent, roomId: string): string[] {
  if (intent.id === 'otherRooms') return intent.capabilities;
  return intent.capabilities.filter((capability) => {
    const parsed = parseCapability(capability);
    return parsed.kind !== 'timeline' || parsed.roomId === roomId;
  });
}

function GrantRow({ grant, refresh }: { grant: GrantView; refresh: Refresh }) {
  const revoke = async (capabilities: string[] | null) => {
    await askBackground({
      kind: 'revokeGrant',
      widget: { siteOrigin: grant.siteOrigin, widgetUrl: grant.widgetUrl, widgetId: grant.widgetId },
      roomId: grant.roomId,
      hostInstance: grant.hostInstance,
      capabilities,
    });
    await refresh();
  };
  const intents = describeIntents(grant.granted, grant.roomId);
  const deniedIntents = describeIntents(grant.denied, grant.roomId);
  return (
    <div class="grant" data-grant-room={grant.roomId} data-widget-url={grant.widgetUrl}>
      <p class="grant-where">
        <span title={grant.roomId}>{t('inRoom', grant.roomName || grant.roomId)}</span>
        {grant.hostInstance && <span class="pill">{t('grantThisPageOnly')}</span>}
      </p>
      {intents.length === 0 ? (
        <p class="muted small">{t('grantNothingNow')}</p>
      ) : (
        <ul class="plain intent-rows">
          {intents.map((intent) => {
            const text = render(intent.message);
            const own = ownCapabilities(intent, grant.roomId);
            return (
              <li key={intent.id} class="intent-row" data-tone={intent.tone} data-intent={intent.id}>
                <span>{text}</span>
                {own.length > 0 && (
                  <Button variant="quiet" size="small" data-revoke={own.join(' ')} aria-label={t('revokeLabel', text)} onClick={() => void revoke(own)}>
                    {t('revoke')}
                  </Button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {deniedIntents.length > 0 && (
        <p class="muted small denied">{t('deniedList', deniedIntents.map((intent) => render(intent.message)).join(' · '))}</p>
      )}
      <div class="grant-foot">
        <span class="muted small">{grant.lastUsedAt ? t('grantLastUsed', when(grant.lastUsedAt)) : t('grantNeverUsed')}</span>
        {grant.granted.length > 0 && (
          <Button variant="danger" size="small" data-revoke-all onClick={() => void revoke(null)}>
            {t('revokeAll')}
          </Button>
        )}
      </div>
      {grant.granted.length + grant.denied.length > 0 && (
        <Disclosure class="capability-details" summary={t('capabilityDetails')}>
          <ul class="plain raw-capabilities">
            {grant.granted.map((capability) => {
              const text = render(describeCapability(capability, grant.roomId).message);
              return (
                <li key={capability} class="raw-capability">
                  <span>
                    {text}
                    <code>{capability}</code>
                  </span>
                  <Button variant="quiet" size="small" data-revoke-capability={capability} aria-label={t('revokeLabel', text)} onClick={() => void revoke([capability])}>
                    {t('revoke')}
                  </Button>
                </li>
              );
            })}
            {grant.denied.map((capability) => (
              <li key={capability} class="raw-capability is-denied">
                <span>
                  {t('deniedCapability', render(describeCapability(capability, grant.roomId).message))}
                  <code>{capability}</code>
                </span>
              </li>
            ))}
          </ul>
        </Disclosure>
      )}
    </div>
  );
}

/**
 * What the widget did, in sentences, newest first (the log is per widget, all rooms). Read when
 * opened, and again while open whenever the popup refreshed its grants (a revoke here, a return to
 * the popup): a popup kept open in a tab (Firefox's first-run tab) would otherwise show a stale log.
 */
function Activity({ widget, grants }: { widget: WidgetKey; grants: GrantView[] }) {
  const [entries, setEntries] = useState<AuditEntry[] | undefined>();
  const [isOpen, setOpen] = useState(false);
  useEffect(() => {
    if (!isOpen) return undefined;
    let isCurrent = true;
    void askBackground({ kind: 'getAudit', widget }).then((reply) => {
      if (isCurrent) setEntries(reply.ok ? reply.value : []);
    });
    return () => {
      isCurrent = false;
    };
    // `grants` is a new array each time the site list renders, every refresh among them: the signal to read again.
  }, [isOpen, grants]);
  const lines = entries ? describeActivity(entries) : [];
  return (
    <Disclosure class="activity-disclosure" summary={t('showActivity')} onToggle={setOpen}>
      {entries && entries.length === 0 && <p class="muted small">{t('noActivity')}</p>}
      <ol class="plain activity">
        {lines.map((line, index) => (
          <li key={index} data-activity={line.message.key}>
            <time class="muted" dateTime={new Date(line.at).toISOString()}>
              {when(line.at)}
            </time>{' '}
            <span>{t(line.message.key as MessageKey)}</span>
            {line.detail !== null && (
              <>
                {' '}
                <code>{line.detail}</code>
              </>
            )}
            {line.items.length > 0 && (
              <ul class="activity-items">
                {line.items.map((item, itemIndex) => (
                  <li key={itemIndex}>{render(item)}</li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </Disclosure>
  );
}
