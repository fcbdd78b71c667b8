// The WWW-Authenticate challenge of RFC 6750 §3 (with RFC 9728's resource_metadata). Values
// are written as quoted-strings, escaped: a realm or description can never break out of its
// parameter or inject a header.

/** Parameters of a Bearer challenge, in the order they are written. Unset ones are left out. */
export interface ChallengeParams {
  readonly realm?: string | undefined;
  readonly error?: string | undefined;
  readonly error_description?: string | undefined;
  readonly scope?: string | undefined;
  readonly resource_metadata?: string | undefined;
}

const ORDER = ['realm', 'error', 'error_description', 'scope', 'resource_metadata'] as const;

// Anything outside visible ASCII and space/tab cannot be sent in a header by every runtime
// (Node throws on it): replaced rather than risked.
const UNSAFE = /[^\t\x20-\x7e]/g;
const NEEDS_ESCAPE = /["\\]/g;

/** `value` as an RFC 9110 quoted-string: `"` and `\` escaped, controls and non-ASCII replaced. */
export function quotedString(value: string): string {
  return `"${value.replace(UNSAFE, '?').replace(NEEDS_ESCAPE, '\\$&')}"`;
}

/** True when `value` can be written in a header as it is (visible ASCII, space and tab). */
export function isHeaderSafe(value: string): boolean {
  return !/[^\t\x20-\x7e]/.test(value);
}

/**
 * `Bearer realm="…", error="…", …`
 *
 * @example
 * ```ts
 * bearerChallenge({ realm: 'api', error: 'invalid_token' }); // 'Bearer realm="api", error="invalid_token"'
 * ```
 */
export function bearerChallenge(params: ChallengeParams): string {
  const parts: string[] = [];
  for (const name of ORDER) {
    const value = params[name];
    if (value !== undefined) parts.push(`${name}=${quotedString(value)}`);
  }
  return parts.length === 0 ? 'Bearer' : `Bearer ${parts.join(', ')}`;
}
