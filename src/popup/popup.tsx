// The popup's one screen: the account, this tab's widgets, sites, and what each widget may do.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Runtime } from 'webextension-polyfill';
import * as v from 'valibot';
import { StatusChanged, type BridgeStatus, type GrantView, type SessionStatus, type SiteView } from '../shared/protocol/background-to-ui';
import { askBackground } from '../shared/ui/background-client';
import { t } from '../shared/ui/i18n';
import { AccountList } from './account-list';
import { DeviceVerification } from './device-verification';
import { EndedSessions } from './ended-sessions';
import { GrantList } from './grant-list';
import { LoginForm } from './login-form';
import { SiteAccess } from './site-access';
import { SiteList } from './site-list';
import { TabWidgets } from './tab-widgets';

export type Refresh = () => Promise<void>;

const SYNC_POLL_MS = 1_000;

function hasSynced(syncState: string): boolean {
  return syncState === 'SYNCING' || syncState === 'PREPARED' || syncState === 'CATCHUP';
}

export function Popup({ isWelcome, statusPort }: { isWelcome: boolean; statusPort: Runtime.Port }) {
  const [status, setStatus] = useState<BridgeStatus | undefined>();
  const [grants, setGrants] = useState<GrantView[]>([]);
  const [sites, setSites] = useState<SiteView[]>([]);
  const [error, setError] = useState('');

  const refresh = useCallback(async () => {
    const reply = await askBackground({ kind: 'getStatus' });
    if (!reply.ok) return setError(reply.error.message);
    setStatus(reply.value);
    if (!reply.value.session) return;
    const [grantReply, siteReply] = await Promise.all([askBackground({ kind: 'listGrants' }), askBackground({ kind: 'listSites' })]);
    if (grantReply.ok) setGrants(grantReply.value);
    if (siteReply.ok) setSites(siteReply.value);
  }, []);

  useEffect(() => {
    void refresh();
    // The first-run tab stays open: show what changed meanwhile when the user comes back to it.
    const onFocus = () => void refresh();
    window.addEventListener('focus', onFocus);
    // The homeserver became unreachable or came back (the sync state changed): show it now.
    const onStatusChanged = (message: unknown) => {
      if (v.is(StatusChanged, message)) void refresh();
    };
    statusPort.onMessage.addListener(onStatusChanged);
    return () => {
      window.removeEventListener('focus', onFocus);
      statusPort.onMessage.removeListener(onStatusChanged);
    };
  }, [refresh, statusPort]);

  // Until the first sync is through, follow it: the user sees the work going on, then the result.
  // Likewise while the homeserver has not said whether the account has an encryption identity.
  // Later changes of the sync state come as `statusChanged` on the status port.
  const isWaiting =
    Boolean(status?.session) && (!hasSynced(status?.syncState ?? '') || status?.encryption?.hasCrossSigning === null);
  useEffect(() => {
    if (!isWaiting) return;
    const timer = setInterval(() => void refresh(), SYNC_POLL_MS);
    return () => clearInterval(timer);
  }, [isWaiting, refresh]);

  return (
    <>
      <h1>{t('extensionName')}</h1>
      {isWelcome && <p>{t('welcomeIntro')}</p>}
      <SiteAccess />
      {error && <p class="error" role="alert">{error}</p>}
      {status && <EndedSessions status={status} onStatus={setStatus} />}
      {status && !status.session && (
        // Logging in again is the likely next step after a session ended: its homeserver is filled in.
        <LoginForm onLoggedIn={setStatus} initialHomeserver={status.endedSessions.at(-1)?.homeserverUrl} />
      )}
      {status?.session && (
        <>
          <section aria-labelledby="account-heading" id="logged-in">
            <h2 id="account-heading" class="visually-hidden">{t('loggedInAs', status.session.userId)}</h2>
            <p>
              {t('loggedInAs', '')}
              <strong id="user-id">{status.session.userId}</strong>
            </p>
            <p class="muted">
              <span id="device-id" data-device-id={status.session.deviceId}>
                {t('deviceLabel', status.session.deviceId)}
              </span>{' '}
              · {t('syncLabel', status.syncState)}
            </p>
            {!hasSynced(status.syncState) && status.syncState !== 'ERROR' && status.syncState !== 'RECONNECTING' && (
              <p id="first-sync" class="muted" role="status">
                {t('firstSync')}
              </p>
            )}
            {status.encryption && (
              <p id="device-verification" data-state={verificationState(status.encryption)}>
                {VERIFICATION_TEXT[verificationState(status.encryption)]()}
              </p>
            )}
            {(status.syncState === 'ERROR' || status.syncState === 'RECONNECTING') && (
              <p class="error" role="status" id="homeserver-unreachable">
                {t('homeserverUnreachable', status.session.homeserverUrl)}
              </p>
            )}
            <button
              id="logout"
              type="button"
              onClick={() => void askBackground({ kind: 'logout' }).then((reply) => reply.ok && setStatus(reply.value))}
            >
              {t('logOut')}
            </button>
          </section>
          <AccountList status={status} onStatus={setStatus} />
          {status.encryption && <DeviceVerification encryption={status.encryption} onStatus={setStatus} refresh={refresh} />}
          <TabWidgets />
          <SiteList sites={sites} onChange={setSites} refresh={refresh} />
          <GrantList grants={grants} refresh={refresh} />
        </>
      )}
    </>
  );
}

type VerificationState = 'unavailable' | 'verified' | 'unverified' | 'noIdentity' | 'unknown';

const VERIFICATION_TEXT: Record<VerificationState, () => string> = {
  unavailable: () => t('encryption_unavailable'),
  verified: () => t('encryption_verified'),
  unverified: () => t('encryption_unverified'),
  noIdentity: () => t('encryption_noIdentity'),
  unknown: () => t('encryption_unknown'),
};

/** One word for the device's encryption state; the popup's wording and tests key on it. */
function verificationState(encryption: NonNullable<SessionStatus['encryption']>): VerificationState {
  if (!encryption.isReady) return 'unavailable';
  if (encryption.isDeviceVerified) return 'verified';
  // Unknown while the homeserver has not answered: offering set-up then could replace an identity.
  if (encryption.hasCrossSigning === null) return 'unknown';
  return encryption.hasCrossSigning ? 'unverified' : 'noIdentity';
}
