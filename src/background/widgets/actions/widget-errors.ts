// Turns failures inside the host into MSC2762 error replies, in one place. Homeserver errors keep
// what a widget needs (status, safe headers, body, URL without secrets) and nothing else.
import { ConnectionError, HTTPError, MatrixError } from 'matrix-js-sdk';
import { NotLoggedIn } from '../../session/matrix-session';

/** A refusal the widget should see verbatim (denied capability, wrong room, bad request). */
export class WidgetRequestRefused extends Error {}

export type WidgetErrorResponse = {
  error: {
    message: string;
    matrix_api_error?: {
      http_status: number;
      http_headers: Record<string, string>;
      url: string;
      response: unknown;
    };
  };
};

const SAFE_HEADERS = ['content-type', 'retry-after'];
const SECRET_QUERY_PARAMS = ['access_token', 'token', 'loginToken', 'password'];

function redactUrl(url: string | undefined): string {
  if (!url) return '';
  try {
    const parsed = new URL(url);
    for (const name of SECRET_QUERY_PARAMS) parsed.searchParams.delete(name);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '';
  }
}

function safeHeaders(headers: Headers | undefined): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of SAFE_HEADERS) {
    const value = headers?.get(name);
    if (value) kept[name] = value;
  }
  return kept;
}

export function toWidgetError(error: unknown): WidgetErrorResponse {
  // js-sdk passes M_UNKNOWN_TOKEN on only once it could not renew the token: the homeserver ended the
  // session (the account is being ended, see Accounts), and the widget learns what the user must do.
  if (error instanceof MatrixError && error.errcode === 'M_UNKNOWN_TOKEN') return { error: { message: new NotLoggedIn().message } };
  if (error instanceof MatrixError) {
    return {
      error: {
        // Not error.message: js-sdk puts the full request URL in it.
        message: error.data.error ?? error.errcode ?? `Homeserver error ${error.httpStatus ?? ''}`.trim(),
        matrix_api_error: {
          http_status: error.httpStatus ?? 0,
          http_headers: safeHeaders(error.httpHeaders),
          url: redactUrl(error.url),
          response: error.data,
        },
      },
    };
  }
  if (error instanceof HTTPError) {
    // An error page that is not Matrix JSON (a proxy's 502): the status, without its body.
    return {
      error: {
        message: `Homeserver error ${error.httpStatus ?? ''}`.trim(),
        matrix_api_error: { http_status: error.httpStatus ?? 0, http_headers: safeHeaders(error.httpHeaders), url: '', response: {} },
      },
    };
  }
  if (error instanceof ConnectionError || (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError'))) {
    return { error: { message: 'Request failed: the homeserver could not be reached' } };
  }
  if (error instanceof WidgetRequestRefused || error instanceof NotLoggedIn) {
    return { error: { message: error.message } };
  }
  // Anything else is our bug or a network failure: say so without internals (no stack).
  const reason = error instanceof TypeError ? 'the homeserver could not be reached' : 'internal error';
  return { error: { message: `Request failed: ${reason}` } };
}
