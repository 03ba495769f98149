// The one union of error codes a reply between extension contexts can carry.
import * as v from 'valibot';

export const ErrorCode = v.picklist([
  'invalidMessage',
  'notLoggedIn',
  'loginFailed',
  'ssoFailed',
  'oidcFailed',
  'unknownApproval',
  'approvalNotArmed',
  'verificationRefused',
  'forbiddenSender',
  'homeserverError',
  'internal',
]);
export type ErrorCode = v.InferOutput<typeof ErrorCode>;

export const ReplyError = v.object({ code: ErrorCode, message: v.string() });
export type ReplyError = v.InferOutput<typeof ReplyError>;

/** Replies are values, not thrown errors: a context never has to guess whether a call failed. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: ReplyError };

export function ok<T>(value: T): Reply<T> {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string): Reply<never> {
  return { ok: false, error: { code, message } };
}

/**
 * What was wrong with one issue. valibot's default messages quote the received value ("…but received
 * "secret""), which must never reach a log or another context: those are replaced by what was expected.
 */
function safeMessage(issue: v.BaseIssue<unknown>): string {
  if (!/received/i.test(issue.message)) return issue.message; // our own wording in the schemas
  return issue.expected ? `invalid ${issue.type}, expected ${issue.expected}` : `invalid ${issue.type}`;
}

/** Turns valibot issues into one line a developer can act on, without echoing the payload. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path?.map((item) => String(item.key)).join('.') ?? '';
      return path ? `${path}: ${safeMessage(issue)}` : safeMessage(issue);
    })
    .join('; ');
}

/** Parses `input` with `schema`; the failure carries a readable reason instead of throwing. */
export function parseMessage<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
): { ok: true; value: v.InferOutput<S> } | { ok: false; reason: string } {
  const result = v.safeParse(schema, input);
  return result.success
    ? { ok: true, value: result.output }
    : { ok: false, reason: describeIssues(result.issues) };
}
