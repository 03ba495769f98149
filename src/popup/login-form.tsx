// Password login. The password goes to the background once and is not kept anywhere.
import { useState } from 'preact/hooks';
import type { SessionStatus } from '../shared/protocol/background-to-ui';
import { askBackground } from '../shared/ui/background-client';
import { t } from '../shared/ui/i18n';

export function LoginForm({ onLoggedIn }: { onLoggedIn: (status: SessionStatus) => void }) {
  const [isBusy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
    setBusy(true);
    setError('');
    const reply = await askBackground({
      kind: 'login',
      homeserverUrl: field('homeserver').trim(),
      username: field('username'),
      password: field('password'),
    });
    setBusy(false);
    (form.elements.namedItem('password') as HTMLInputElement).value = '';
    if (reply.ok) onLoggedIn(reply.value);
    else setError(reply.error.message);
  };

  return (
    <section id="logged-out">
      <form onSubmit={(event) => void submit(event)}>
        <label for="homeserver">{t('homeserverLabel')}</label>
        <input id="homeserver" name="homeserver" type="url" required value="https://matrix-client.matrix.org" autocomplete="url" />
        <label for="username">{t('usernameLabel')}</label>
        <input id="username" name="username" type="text" required autocomplete="username" />
        <label for="password">{t('passwordLabel')}</label>
        <input id="password" name="password" type="password" required autocomplete="current-password" />
        <button id="login" class="primary" type="submit" disabled={isBusy}>
          {isBusy ? t('loggingIn') : t('logIn')}
        </button>
      </form>
      <p id="login-error" class="error" role="alert">
        {error}
      </p>
    </section>
  );
}
