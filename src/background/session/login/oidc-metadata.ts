// The authorization server's metadata (RFC 8414, as Matrix uses it: MSC2965 / spec "OAuth 2.0 API"),
// checked once where it arrives. Refuses a server the extension cannot log in with safely: no dynamic
// registration, no PKCE S256, no refresh tokens, or endpoints that are not https. No I/O here.
import * as v from 'valibot';
import type { ValidatedAuthMetadata } from 'matrix-js-sdk';
import { describeIssues } from '../../../shared/protocol/errors';

/** The homeserver delegates to an authorization server the extension cannot use; the message is for the user. */
export class OidcUnavailable extends Error {}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * https, or http on a loopback address: a homeserver run on the user's own machine (and the tests'
 * provider). Anything else in plain http would let the network read the tokens.
 */
export function isSecureOrLoopback(raw: string): boolean {
  const url = URL.parse(raw);
  if (!url || url.username || url.password) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

const Endpoint = v.pipe(v.string(), v.url('must be a URL'), v.check(isSecureOrLoopback, 'must use https'));

function listWith(...required: string[]) {
  return v.pipe(
    v.array(v.string()),
    v.check((values) => required.every((value) => values.includes(value)), `must include ${required.join(' and ')}`),
  );
}

export const AuthServerMetadata = v.looseObject({
  // RFC 8414 §2: an https URL without query or fragment; it names the server in `iss` (RFC 9207).
  issuer: v.pipe(
    Endpoint,
    v.check((issuer) => !issuer.includes('?') && !issuer.includes('#'), 'must have no query or fragment'),
  ),
  authorization_endpoint: Endpoint,
  token_endpoint: Endpoint,
  /** MSC2966: the extension registers itself; a server without registration cannot know it. */
  registration_endpoint: Endpoint,
  /** MSC4254: logout revokes the tokens; js-sdk's logout needs it. */
  revocation_endpoint: Endpoint,
  response_types_supported: listWith('code'),
  // The extension's redirect never loads, so it reads the code from the query (see oidc-authorization.ts).
  response_modes_supported: listWith('query'),
  grant_types_supported: listWith('authorization_code', 'refresh_token'),
  /** MSC2964: PKCE with S256 is what keeps a stolen code useless. */
  code_challenge_methods_supported: listWith('S256'),
  /** RFC 9207: when true, a response without `iss` is refused. */
  authorization_response_iss_parameter_supported: v.optional(v.boolean()),
  account_management_uri: v.optional(v.string()),
  account_management_actions_supported: v.optional(v.array(v.string())),
  prompt_values_supported: v.optional(v.array(v.string())),
});

export type AuthServer = ValidatedAuthMetadata & { authorization_response_iss_parameter_supported?: boolean };

/** The metadata in `body`, or `OidcUnavailable` saying what is missing (never echoing the body). */
export function parseAuthMetadata(body: unknown): AuthServer {
  const parsed = v.safeParse(AuthServerMetadata, body);
  if (!parsed.success) {
    throw new OidcUnavailable(`The homeserver's sign-in service cannot be used (${describeIssues(parsed.issues)})`);
  }
  const { output } = parsed;
  // Only the fields the flow uses go on: extra fields of a loose object stay behind.
  return {
    issuer: output.issuer,
    authorization_endpoint: output.authorization_endpoint,
    token_endpoint: output.token_endpoint,
    registration_endpoint: output.registration_endpoint,
    revocation_endpoint: output.revocation_endpoint,
    response_types_supported: output.response_types_supported,
    response_modes_supported: output.response_modes_supported,
    grant_types_supported: output.grant_types_supported,
    code_challenge_methods_supported: output.code_challenge_methods_supported,
    ...(output.authorization_response_iss_parameter_supported !== undefined
      ? { authorization_response_iss_parameter_supported: output.authorization_response_iss_parameter_supported }
      : {}),
    ...(output.account_management_uri !== undefined ? { account_management_uri: output.account_management_uri } : {}),
    ...(output.account_management_actions_supported !== undefined
      ? { account_management_actions_supported: output.account_management_actions_supported }
      : {}),
    ...(output.prompt_values_supported !== undefined ? { prompt_values_supported: output.prompt_values_supported } : {}),
  };
}
