// The logged-in accounts, in the header's switcher: switch the active one, or add another. Widgets act
// for the account that was active when they connected; switching closes them so they ask again.
import { useState } from 'preact/hooks';
import type { BridgeStatus } from '../shared/protocol/background-to-ui';
import { askBackground } from '../shared/ui/background-client';
import { Avatar, Button, Icon } from '../shared/ui/components';
import { t } from '../shared/ui/i18n';
import { homeserverName, localpartOf } from './connection-state';
import { LoginForm } from './login-form';

export function AccountList({ status, onStatus }: { status: BridgeStatus; onStatus: (status: BridgeStatus) => void }) {
  const [isAdding, setAdding] = useState(false);
  const [error, setError] = useState('');
  const others = status.accounts.filter((account) => !account.isActive);

  const switchTo = async (userId: string) => {
    setError('');
    const reply = await askBackground({ kind: 'switchAccount', userId });
    if (reply.ok) onStatus(reply.value);
    else setError(reply.error.message);
  };

  return (
    <section id="accounts" aria-labelledby="accounts-heading">
      <h2 id="accounts-heading" class="section-heading">
        {t('accountsHeading')}
      </h2>
      {others.length === 0 && !isAdding && <p class="muted small">{t('noOtherAccounts')}</p>}
      {others.length > 0 && (
        <ul class="plain account-rows" id="account-list">
          {others.map((account) => (
            <li key={account.userId} class="account-row" data-user-id={account.userId}>
              <Avatar name={localpartOf(account.userId)} seed={account.userId} size="small" />
              <span class="account-row-name">
                <span>{account.userId}</span>
                <span class="muted small">{homeserverName(account.homeserverUrl)}</span>
              </span>
              <Button size="small" class="switch-account" aria-label={t('switchAccountLabel', account.userId)} onClick={() => void switchTo(account.userId)}>
                {t('switchAccount')}
              </Button>
            </li>
          ))}
        </ul>
      )}
      {isAdding ? (
        <LoginForm
          onLoggedIn={(next) => {
            setAdding(false);
            onStatus(next);
          }}
        />
      ) : (
        <Button id="add-account" variant="quiet" onClick={() => setAdding(true)}>
          <Icon name="plus" />
          {t('addAccount')}
        </Button>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
