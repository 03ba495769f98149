// The popup's second view: the active account (its homeserver, the connection, the device id behind a
// disclosure), this device's encryption and its verification, and logging out. A back button returns.
import { useEffect, useRef } from 'preact/hooks';
import type { BridgeStatus, ProfileView } from '../shared/protocol/background-to-ui';
import { askBackground } from '../shared/ui/background-client';
import { Avatar, Button, Card, Disclosure, IconButton } from '../shared/ui/components';
import { t } from '../shared/ui/i18n';
import { ConnectionLine } from './account-header';
import { localpartOf, verificationState, type VerificationState } from './connection-state';
import { DeviceVerification } from './device-verification';
import type { Refresh } from './popup';

type Props = {
  status: BridgeStatus;
  profile: ProfileView | undefined;
  onStatus: (status: BridgeStatus) => void;
  refresh: Refresh;
  onBack: () => void;
};

const VERIFICATION_TEXT: Record<VerificationState, () => string> = {
  unavailable: () => t('encryption_unavailable'),
  verified: () => t('encryption_verified'),
  unverified: () => t('encryption_unverified'),
  noIdentity: () => t('encryption_noIdentity'),
  unknown: () => t('encryption_unknown'),
};

export function SettingsView({ status, profile, onStatus, refresh, onBack }: Props) {
  const session = status.session!;
  const name = profile?.displayName ?? localpartOf(session.userId);
  const back = useRef<HTMLButtonElement>(null);
  // A new view: the keyboard starts at its way back.
  useEffect(() => back.current?.focus(), []);
  const state = status.encryption ? verificationState(status.encryption) : undefined;

  return (
    <div id="settings">
      <div class="view-bar">
        <IconButton id="settings-back" icon="back" label={t('backToMain')} onClick={onBack} ref={back} />
        <h2 class="view-title">{t('settingsHeading')}</h2>
      </div>

      <Card aria-labelledby="account-heading" id="account-settings">
        <h3 id="account-heading" class="card-heading">
          {t('accountHeading')}
        </h3>
        <div class="account-summary">
          <Avatar name={name} seed={session.userId} />
          <span class="account-name">
            <strong>{name}</strong>
            <span id="settings-user-id" class="muted">
              {session.userId}
            </span>
          </span>
        </div>
        <ConnectionLine status={status} />
        <Disclosure summary={t('technicalDetails')} id="technical-details">
          <dl class="facts">
            <dt>{t('homeserverLabel')}</dt>
            <dd>
              <code>{session.homeserverUrl}</code>
            </dd>
            <dt>{t('deviceIdLabel')}</dt>
            <dd>
              <code id="device-id" data-device-id={session.deviceId}>
                {session.deviceId}
              </code>
            </dd>
            <dt>{t('syncStateLabel')}</dt>
            <dd>
              <code>{status.syncState}</code>
            </dd>
          </dl>
        </Disclosure>
      </Card>

      {status.encryption && state && (
        <Card aria-labelledby="verification-heading" id="encryption-settings">
          <h3 id="verification-heading" class="card-heading">
            {t('verificationHeading')}
          </h3>
          <p id="device-verification" class={`encryption-state state-${state}`} data-state={state}>
            {VERIFICATION_TEXT[state]()}
          </p>
          <DeviceVerification encryption={status.encryption} onStatus={onStatus} refresh={refresh} />
        </Card>
      )}

      <Card id="logout-settings">
        <p class="muted small">{t('logOutExplained', session.userId)}</p>
        <Button
          id="logout"
          variant="danger"
          onClick={() => void askBackground({ kind: 'logout' }).then((reply) => reply.ok && onStatus(reply.value))}
        >
          {t('logOut')}
        </Button>
      </Card>
    </div>
  );
}
