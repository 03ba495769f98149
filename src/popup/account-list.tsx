// The logged-in accounts: switch the active one, or add another. Widgets act for the account that
// was active when they connected; switching closes them so they ask again under the new one.
import { useState } from 'preact/hooks';
import type { BridgeStatus } from '../shared/protocol/background-to-ui';
import { askBackground } from '../shared/ui/background-client';
import { t } from '../shared/ui/i18n';
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
      <h2 id="accounts-heading">{t('accountsHeading')}</h2>
      {others.length > 0 && (
        <ul class="plain" id="account-list">
          {others.map((account) => (
            <li key={account.userId} class="row" data-user-id={account.userId}>
              <span>{account.userId}</span>
              <button type="button" class="switch-account" onClick={() => void switchTo(account.userId)}>
                {t('switchAccount')}
              </button>
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
        <button id="add-account" type="button" onClick={() => setAdding(true)}>
          {t('addAccount')}
        </button>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
