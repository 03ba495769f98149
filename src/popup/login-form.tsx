// Login: password, SSO through one of the homeserver's identity providers, or the OpenID service a
// homeserver delegates to (MSC3861, then the only way offered). One field names the account's server:
// a Matrix ID (`@ann:example.org`, whose server also gives the user name), a server name
// (`example.org`) or a homeserver URL; the background finds the homeserver (`.well-known`, as Matrix
// clients do). The password goes to the background once and is not kept anywhere; SSO and OIDC run
// entirely in the background (the popup may close while the browser's sign-in window is open) and
// the popup only ever sees the status.
import { useEffect, useState } from 'preact/hooks';
import { parseLoginTarget } from '../shared/core/homeserver-discovery';
import type { BridgeStatus, DiscoveryView, LoginOptions } from '../shared/protocol/background-to-ui';
import { askBackground } from '../shared/ui/background-client';
import { Button } from '../shared/ui/components';
import { t, type MessageKey } from '../shared/ui/i18n';

/** Look the homeserver up once the user pauses typing, not for every partial name. */
const LOOKUP_DELAY_MS = 400;
/** What the form proposes before any login: discovery leads to matrix.org's homeserver. */
const DEFAULT_SERVER = 'matrix.org';

type Discovery = { server: string; view: DiscoveryView };

async function discover(server: string): Promise<Discovery> {
  const reply = await askBackground({ kind: 'discoverHomeserver', server });
  if (reply.ok) return { server, view: reply.value };
  // The background refused the text itself (it checks the same rules the form does).
  return { server, view: { found: false, problem: reply.error.code === 'invalidMessage' ? 'invalidInput' : 'unreachable', at: server } };
}

function problemText(view: Extract<DiscoveryView, { found: false }>): string {
  return t(`discoveryProblem_${view.problem}` as MessageKey, view.at);
}

export function LoginForm({ onLoggedIn, initialHomeserver }: { onLoggedIn: (status: BridgeStatus) => void; initialHomeserver?: string | null | undefined }) {
  // The field's latest input, for the lookup and the SSO buttons; the field itself stays uncontrolled.
  const [initial] = useState(initialHomeserver ?? DEFAULT_SERVER);
  const [server, setServer] = useState(initial);
  const [discovery, setDiscovery] = useState<Discovery | undefined>();
  const [methods, setMethods] = useState<LoginOptions | undefined>();
  const [busy, setBusy] = useState<'password' | 'sso' | 'oidc' | undefined>();
  const [error, setError] = useState('');
  const target = parseLoginTarget(server);
  const current = discovery?.server === server.trim() ? discovery.view : undefined;
  const homeserverUrl = current?.found ? current.homeserverUrl : undefined;

  useEffect(() => {
    setMethods(undefined);
    const text = server.trim();
    if (parseLoginTarget(text) === undefined) return;
    let isCurrent = true;
    const timer = setTimeout(() => {
      void discover(text).then((found) => {
        if (!isCurrent) return;
        setDiscovery(found);
        if (!found.view.found) return;
        void askBackground({ kind: 'getLoginFlows', homeserverUrl: found.view.homeserverUrl }).then((reply) => {
          // Unknown methods (server unreachable meanwhile) leave the password form as it is.
          if (isCurrent && reply.ok) setMethods(reply.value);
        });
      });
    }, LOOKUP_DELAY_MS);
    return () => {
      isCurrent = false;
      clearTimeout(timer);
    };
  }, [server]);

  // Without an answer yet, offer the password form: most homeservers have it.
  const hasPassword = methods?.hasPasswordLogin ?? true;
  const providers = methods?.ssoProviders;
  const oidcIssuer = methods?.oidcIssuer ?? null;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!hasPassword) return; // Enter in the URL field of an SSO-only homeserver
    const form = event.currentTarget as HTMLFormElement;
    const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '';
    const text = field('homeserver').trim();
    const named = parseLoginTarget(text);
    setError('');
    if (named === undefined) return setError(t('discoveryProblem_invalidInput'));
    setBusy('password');
    // Enter before the lookup answered: look the homeserver up now.
    const found = discovery?.server === text && discovery.view.found ? discovery : await discover(text);
    setDiscovery(found);
    if (!found.view.found) {
      setBusy(undefined);
      return setError(problemText(found.view));
    }
    const reply = await askBackground({
      kind: 'login',
      homeserverUrl: found.view.homeserverUrl,
      // A Matrix ID names the user itself; the homeserver checks it is one of its own.
      username: named.kind === 'matrixId' ? named.userId : field('username'),
      password: field('password'),
    });
    setBusy(undefined);
    (form.elements.namedItem('password') as HTMLInputElement).value = '';
    if (reply.ok) onLoggedIn(reply.value);
    else setError(reply.error.message);
  };

  const signInWith = async (idpId: string | null) => {
    if (homeserverUrl === undefined) return;
    setBusy('sso');
    setError('');
    const reply = await askBackground({ kind: 'loginSso', homeserverUrl, idpId });
    setBusy(undefined);
    if (reply.ok) onLoggedIn(reply.value);
    else setError(reply.error.message);
  };

  const continueWithOidc = async () => {
    if (homeserverUrl === undefined) return;
    setBusy('oidc');
    setError('');
    // The background asks the homeserver for its OpenID service again: the issuer shown here is a label.
    const reply = await askBackground({ kind: 'loginOidc', homeserverUrl });
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
          type="text"
          required
          spellcheck={false}
          autocapitalize="off"
          defaultValue={initial}
          placeholder={t('homeserverPlaceholder')}
          aria-describedby="homeserver-status"
          onInput={(event) => setServer(event.currentTarget.value)}
          autocomplete="url"
        />
        <p id="homeserver-status" class={current?.found === false ? 'field-status error' : 'field-status muted small'} aria-live="polite">
          {current?.found === false
            ? // After a submit the alert below says it; said twice it would be read twice.
              error === '' ? problemText(current) : ''
            : homeserverUrl !== undefined && homeserverUrl !== server.trim()
              ? t('homeserverFound', homeserverUrl)
              : ''}
        </p>
        {hasPassword && (
          <>
            {target?.kind !== 'matrixId' && (
              <>
                <label class="field" for="username">
                  {t('usernameLabel')}
                </label>
                <input id="username" class="input" name="username" type="text" required autocomplete="username" />
              </>
            )}
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
