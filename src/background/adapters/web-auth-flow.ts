// The browser's auth window for SSO (`identity` permission). Chrome resolves `launchWebAuthFlow` when
// the window reaches `https://<extension id>.chromiumapp.org/…`, Firefox when it reaches
// `https://<hash of the add-on id>.extensions.allizom.org/…`; both then close the window. The page
// behind that address is never loaded, so the login token in it goes nowhere but to the extension.
import browser from 'webextension-polyfill';
import type { WebAuthFlow } from '../session/login/sso-login';

export const browserWebAuthFlow: WebAuthFlow = {
  redirectUrl: () => browser.identity.getRedirectURL(),
  launch: (url) => browser.identity.launchWebAuthFlow({ url, interactive: true }),
};
