// The extension's dynamic client registrations (MSC2966), one per authorization server and redirect
// address, so signing in again (or with another account on the same server) does not register a new
// client each time. A registration holds no secret: the extension is a public client.
import * as v from 'valibot';
import type { KeyValueStore } from '../../adapters/database';

export const OidcClientRegistration = v.object({
  issuer: v.pipe(v.string(), v.url()),
  /** Chrome's and Firefox's redirect addresses differ, and a new extension id is a new address. */
  redirectUrl: v.pipe(v.string(), v.url()),
  clientId: v.pipe(v.string(), v.minLength(1), v.maxLength(1024)),
});
export type OidcClientRegistration = v.InferOutput<typeof OidcClientRegistration>;

/** Keys share the session object store with the saved session; this prefix keeps them apart. */
const KEY_PREFIX = 'oidc-client ';

export class OidcClientStore {
  constructor(private readonly store: KeyValueStore) {}

  /** The client id registered with `issuer` for `redirectUrl`, if any (a damaged record counts as none). */
  async clientIdFor(issuer: string, redirectUrl: string): Promise<string | undefined> {
    const parsed = v.safeParse(OidcClientRegistration, await this.store.get(keyOf(issuer, redirectUrl)));
    if (!parsed.success) return undefined;
    // A record under another key than its content says is not trusted either.
    const { output } = parsed;
    return output.issuer === issuer && output.redirectUrl === redirectUrl ? output.clientId : undefined;
  }

  remember(registration: OidcClientRegistration): Promise<void> {
    return this.store.put(keyOf(registration.issuer, registration.redirectUrl), registration);
  }

  /** After the server no longer knows the client (`invalid_client`): the next sign-in registers anew. */
  forget(issuer: string, redirectUrl: string): Promise<void> {
    return this.store.delete(keyOf(issuer, redirectUrl));
  }
}

function keyOf(issuer: string, redirectUrl: string): string {
  return `${KEY_PREFIX}${JSON.stringify([issuer, redirectUrl])}`;
}
