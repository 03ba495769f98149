// The popup's header: who the extension acts for (name, Matrix ID, avatar), the account switcher, the
// way to settings, and whether the homeserver is reachable, in words.
import { useEffect, useRef } from 'preact/hooks';
import type { BridgeStatus, ProfileView } from '../shared/protocol/background-to-ui';
import { Avatar, Icon, IconButton } from '../shared/ui/components';
import { t } from '../shared/ui/i18n';
import { AccountList } from './account-list';
import { connectionOf, homeserverName, localpartOf } from './connection-state';

type Props = {
  status: BridgeStatus;
  profile: ProfileView | undefined;
  onStatus: (status: BridgeStatus) => void;
  onSettings: () => void;
  isReturning: boolean;
};

export function AccountHeader({ status, profile, onStatus, onSettings, isReturning }: Props) {
  const session = status.session!;
  const name = profile?.displayName ?? localpartOf(session.userId);
  const settingsButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (isReturning) settingsButton.current?.focus();
  }, [isReturning]);
  return (
    <header class="account-header">
      <div class="account-bar">
        <details id="account-switcher" class="account-switcher">
          <summary>
            <Avatar name={name} seed={session.userId} />
            <span class="account-name">
              <strong id="display-name">{name}</strong>
              <span id="user-id" class="muted">
                {session.userId}
              </span>
            </span>
            <span class="visually-hidden">{t('accountSwitcherLabel')}</span>
            <Icon name="chevron" />
          </summary>
          <div class="switcher-panel">
            <AccountList status={status} onStatus={onStatus} />
          </div>
        </details>
        <IconButton id="open-settings" icon="gear" label={t('openSettings')} onClick={onSettings} ref={settingsButton} />
      </div>
      <ConnectionLine status={status} />
    </header>
  );
}

/** One line on the homeserver: connected, reconnecting or offline, and the first sync's progress. */
export function ConnectionLine({ status }: { status: BridgeStatus }) {
  const session = status.session!;
  const connection = connectionOf(status.syncState);
  const host = homeserverName(session.homeserverUrl);
  return (
    <>
      <p id="sync-status" class="connection" data-connection={connection} data-sync-state={status.syncState} role="status">
        <span class="connection-dot" aria-hidden="true" />
        {connection === 'connecting' ? (
          <span id="first-sync">{t('firstSync')}</span>
        ) : (
          <span>{t(`connection_${connection}`, host)}</span>
        )}
      </p>
      {(connection === 'offline' || connection === 'reconnecting') && (
        <p class="notice notice-warning" role="status" id="homeserver-unreachable">
          {t('homeserverUnreachable', session.homeserverUrl)}
        </p>
      )}
    </>
  );
}
