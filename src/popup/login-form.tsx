// Login: password, SSO through one of the homeserver's identity providers, or the OpenID service a
// homeserver delegates to (MSC3861, then the only way offered). The password goes to the background
// once and is not kept anywhere; SSO and OIDC run entirely in the background (the popup may close
// while the browser's sign-in window is open) and the popup only ever sees the status.
import { useEffect, useState } from 'preact/hooks';
import type { BridgeStatus, LoginOptions } from '../shared/protocol/background-to-ui';
import { askBackground } from '../shared/ui/background-client';
import { Button } from '../shared/ui/components';
import { t } from '../shared/ui/i18n';

/** Ask for the login methods once the user pauses typing, not for every partial URL. */
const LOOKUP_DELAY_MS = 400;
const DEFAULT_HOMESERVER = 'https://matrix-client.matrix.org';

export function LoginForm({ onLoggedIn, initialHomeserver }: { onLoggedIn: (status: BridgeStatus) => void; initialHomeserver?: string | undefined }) {
  // The field's latest input, for the lookup and the SSO buttons; the field itself stays uncontrolled.
  const [initial] = useState(initialHomeserver ?? DEFAULT_HOMESERVER);
  const [homeserver, setHomeserver] = useState(initial);
  const [methods, setMethods] = useState<LoginOptions | undefined>();
  const [busy, setBusy] = useState<'password' | 'sso' | 'oidc' | undefined>();
  const [error, setError] = useState('');

  useEffect(() => {
    setMethods(undefined);
    const homeserverUrl = homeserver.trim();
    if (!/^https?:\/\/./.test(homeserverUrl) || !URL.canParse(homeserverUrl)) return;
    let isCurrent = true;
    const timer = setTimeout(() => {
      void askBackground({ kind: 'getLoginFlows', homeserverUrl }).then((reply) => {
        // Unknown methods (server unreachable, still typing) leave the password form as it is.
        if (isCurrent && reply.ok) setMethods(reply.value);
      });
    }, LOOKUP_DELAY_MS);
    return () => {
      isCurrent = false;
      clearTimeout(timer);
    };
  }, [homeserver]);

  // Without an answer yet, offer the password form: most homeservers have it.
  const hasPassword = methods?.hasPasswordLogin ?? true;
  const providers = methods?.ssoProviders;
  const oidcIssuer = methods?.oidcIssuer ?? null;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!hasPassword) return; // Enter in the URL field of an SSO-only homeserver
    const form = event.currentTarget as HTMLFormElement;
    const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
    setBusy('password');
    setError('');
    const reply = await askBackground({
      kind: 'login',
      homeserverUrl: field('homeserver').trim(),
      username: field('username'),
      password: field('password'),
    });
    setBusy(undefined);
    (form.elements.namedItem('password') as HTMLInputElement).value = '';
    if (reply.ok) onLoggedIn(reply.value);
    else setError(reply.error.message);
  };

  const signInWith = async (idpId: string | null) => {
    setBusy('sso');
    setError('');
    const reply = await askBackground({ kind: 'loginSso', homeserverUrl: homeserver.trim(), idpId });
    setBusy(undefined);
    if (reply.ok) onLoggedIn(reply.value);
    else setError(reply.error.message);
  };

  const continueWithOidc = async () => {
    setBusy('oidc');
    setError('');
    // The background asks the homeserver for its OpenID service again: the issuer shown here is a label.
    const reply = await askBackground({ kind: 'loginOidc', homeserverUrl: homeserver.trim() });
    setBusy(undefined);
    if (reply.ok) onLoggedIn(reply.value);
    else setError(reply.error.message);
  };

  return (
    <section id="logged-out" class="login">
      <form onSubmit={(event) => void submit(event)} class="stacked-form">
        <label class="field" for="homeserver">
          {t('homeserverLabel')}
        </label>
        <input
          id="homeserver"
          class="input"
          name="homeserver"
          type="url"
          required
          defaultValue={initial}
          onInput={(event) => setHomeserver(event.currentTarget.value)}
          autocomplete="url"
        />
        {hasPassword && (
          <>
            <label class="field" for="username">
              {t('usernameLabel')}
            </label>
            <input id="username" class="input" name="username" type="text" required autocomplete="username" />
            <label class="field" for="password">
              {t('passwordLabel')}
            </label>
            <input id="password" class="input" name="password" type="password" required autocomplete="current-password" />
            <Button id="login" variant="primary" type="submit" class="login-submit" disabled={busy !== undefined}>
              {busy === 'password' ? t('loggingIn') : t('logIn')}
            </Button>
          </>
        )}
      </form>
      {providers && (
        <div id="sso-login" role="group" aria-label={t('ssoGroupLabel')}>
          {providers.length === 0 ? (
            <Button class="sso" data-idp-id="" disabled={busy !== undefined} onClick={() => void signInWith(null)}>
              {t('signInWithSso')}
            </Button>
          ) : (
            providers.map((provider) => (
              <Button
                key={provider.id}
                class="sso"
                data-idp-id={provider.id}
                disabled={busy !== undefined}
                onClick={() => void signInWith(provider.id)}
              >
                {t('signInWith', provider.name)}
              </Button>
            ))
          )}
        </div>
      )}
      {oidcIssuer !== null && (
        <Button id="oidc-login" variant="primary" disabled={busy !== undefined} onClick={() => void continueWithOidc()}>
          {t('continueWith', new URL(oidcIssuer).host)}
        </Button>
      )}
      {(busy === 'sso' || busy === 'oidc') && (
        <p id="sso-waiting" role="status">
          {t('ssoWaiting')}
        </p>
      )}
      <p id="login-error" class="error" role="alert">
        {error}
      </p>
    </section>
  );
}
