// Walks the homeserver's SSO redirect (or an OAuth 2.0 authorization URL) the way a browser window
// would (redirects, cookies, the local OpenID provider's login and consent forms), over plain HTTP
// from Node, so integration tests can sign in without a browser. Real servers; only the window is replaced.

/** Where the walk ended: at `redirectUrl` (with the login token), or on a page that wanted more. */
export type SsoWalkEnd = { finalUrl: string; page: string | undefined };

/**
 * Starts at `startUrl` (the homeserver's `/login/sso/redirect/…`), signs in at the provider as
 * `username`, and follows redirects until one leaves for `redirectUrl` or a page wants an answer.
 */
export async function walkSsoLogin(startUrl: string, redirectUrl: string, username: string): Promise<SsoWalkEnd> {
  const cookies = new Map<string, string>();
  let url = startUrl;
  let request: RequestInit = { method: 'GET' };
  let hasSignedIn = false;
  let hasConsented = false;
  for (let step = 0; step < 20; step++) {
    const response = await fetch(url, {
      ...request,
      redirect: 'manual',
      headers: { ...(request.headers as Record<string, string>), cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const split = pair.indexOf('=');
      cookies.set(pair.slice(0, split).trim(), pair.slice(split + 1));
    }
    request = { method: 'GET' };
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      url = new URL(location, url).href;
      if (url.startsWith(redirectUrl)) return { finalUrl: url, page: undefined };
      continue;
    }
    const page = await response.text();
    // The provider's development login form: any login and password.
    const action = /<form[^>]*action="([^"]+)"[^>]*>\s*<input type="hidden" name="prompt" value="login"/.exec(page)?.[1];
    if (action && !hasSignedIn) {
      hasSignedIn = true;
      url = new URL(action.replaceAll('&amp;', '&'), url).href;
      request = {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ prompt: 'login', login: username, password: 'any password' }).toString(),
      };
      continue;
    }
    // Its consent form, for a client that is not its own (one that registered itself): "Continue".
    const consent = /<form[^>]*action="([^"]+)"[^>]*>\s*<input type="hidden" name="prompt" value="consent"/.exec(page)?.[1];
    if (consent && !hasConsented) {
      hasConsented = true;
      url = new URL(consent.replaceAll('&amp;', '&'), url).href;
      request = {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ prompt: 'consent' }).toString(),
      };
      continue;
    }
    return { finalUrl: url, page };
  }
  throw new Error(`SSO walk from ${startUrl} did not end within 20 steps`);
}
