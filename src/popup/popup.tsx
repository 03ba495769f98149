// The popup: logged out, the login form; logged in, two views. The main view leads with what the user
// opened it for: the account, this site's widgets, then every site. Settings (the account's details,
// encryption, logout) is a second view behind the header's gear, with a way back.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { BridgeStatus, GrantView, ProfileView, SiteView } from '../shared/protocol/background-to-ui';
import { askBackground } from '../shared/ui/background-client';
import { t } from '../shared/ui/i18n';
import { AccountHeader } from './account-header';
import { AllSites } from './all-sites';
import { hasSynced } from './connection-state';
import { EndedSessions } from './ended-sessions';
import { LoginForm } from './login-form';
import { SettingsView } from './settings-view';
import { SiteAccess } from './site-access';
import type { StatusChannel } from './status-channel';
import { ThisSite } from './this-site';
import { WaitingApprovals } from './waiting-approvals';

export type Refresh = () => Promise<void>;

const SYNC_POLL_MS = 1_000;

export function Popup({ isWelcome, statusChannel }: { isWelcome: boolean; statusChannel: StatusChannel }) {
  const [status, setStatus] = useState<BridgeStatus | undefined>();
  const [grants, setGrants] = useState<GrantView[]>([]);
  const [sites, setSites] = useState<SiteView[]>([]);
  const [profile, setProfile] = useState<ProfileView | undefined>();
  const [view, setView] = useState<'main' | 'settings' | 'back'>('main');
  /** Bumped on every refresh, so "This site" asks again for the tab's widgets. */
  const [generation, setGeneration] = useState(0);
  const [error, setError] = useState('');

  const refresh = useCallback(async () => {
    const reply = await askBackground({ kind: 'getStatus' });
    if (!reply.ok) return setError(reply.error.message);
    setError('');
    setStatus(reply.value);
    setGeneration((previous) => previous + 1);
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
    // The homeserver became unreachable or came back (the sync state changed), or the background
    // started anew: show it now.
    const unsubscribe = statusChannel.subscribe(() => void refresh());
    return () => {
      window.removeEventListener('focus', onFocus);
      unsubscribe();
    };
  }, [refresh, statusChannel]);

  // The display name of the active account, asked once per account; until then the localpart shows.
  const userId = status?.session?.userId;
  useEffect(() => {
    if (userId === undefined) return;
    let isCurrent = true;
    void askBackground({ kind: 'getProfile' }).then((reply) => isCurrent && reply.ok && setProfile(reply.value));
    return () => {
      isCurrent = false;
    };
  }, [userId]);

  // Another account (or none) after a logout: its settings are not the ones that were open.
  useEffect(() => setView('main'), [userId]);

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

  const session = status?.session;
  return (
    <>
      <h1 class={session ? 'visually-hidden' : 'brand'}>{t('extensionName')}</h1>
      {isWelcome && <p class="welcome">{t('welcomeIntro')}</p>}
      <SiteAccess />
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {status && <EndedSessions status={status} onStatus={setStatus} />}
      {session && (status.pendingApprovals ?? 0) > 0 && <WaitingApprovals count={status.pendingApprovals ?? 0} />}
      {status && !session && (
        // Logging in again is the likely next step after a session ended: its homeserver is filled in;
        // otherwise the homeserver of the last login.
        <LoginForm onLoggedIn={setStatus} initialHomeserver={status.endedSessions.at(-1)?.homeserverUrl ?? status.lastHomeserverUrl} />
      )}
      {status && session && (
        <div id="logged-in">
          {view === 'settings' ? (
            <SettingsView status={status} profile={profile?.userId === session.userId ? profile : undefined} onStatus={setStatus} refresh={refresh} onBack={() => setView('back')} />
          ) : (
            <>
              <AccountHeader
                status={status}
                profile={profile?.userId === session.userId ? profile : undefined}
                onStatus={setStatus}
                onSettings={() => setView('settings')}
                // Back from settings: the keyboard is where it was, on the gear.
                isReturning={view === 'back'}
              />
              <ThisSite generation={generation} grants={grants} sites={sites} onSites={setSites} />
              <AllSites grants={grants} sites={sites} onSites={setSites} refresh={refresh} />
            </>
          )}
        </div>
      )}
    </>
  );
}
