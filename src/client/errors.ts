// The token client's one error class. A client is not a verifier: its failures are about getting
// a token (our credentials, the issuer's answer), not about a token someone sent us, so they do
// not share AccessTokenError's codes or HTTP statuses.

/**
 * Every reason the token client fails to get a token. The set is closed: users branch on it.
 *
 * - `invalid_client`: the issuer does not accept our client credentials (wrong secret, unknown
 *   client, key not registered, client not allowed the grant). A configuration error: retrying
 *   does not help, so it is never retried.
 * - `grant_refused`: the issuer understood the request and refused it (`invalid_scope`,
 *   `invalid_target`, `invalid_grant` for a subject token it does not accept, …). Never retried.
 * - `issuer_unavailable`: the issuer could not be reached or gave no usable answer (connection
 *   refused, timeout, 5xx, 429, a redirect, a body that is not a token response, discovery that
 *   failed). Retried with backoff before it is thrown.
 */
export type TokenClientErrorCode = 'invalid_client' | 'grant_refused' | 'issuer_unavailable';

/** What a {@link TokenClientError} may carry beyond its code and message. */
export interface TokenClientErrorOptions {
  /** The transport error behind this one (never a response body or a request). @default unset */
  cause?: unknown;
  /** The issuer's HTTP status, where it answered. @default unset */
  status?: number;
  /** The issuer's OAuth `error` value (RFC 6749 §5.2), where it sent one. @default unset */
  oauthError?: string;
}

/**
 * The one error the token client raises. Branch on {@link TokenClientError.code}. The message
 * says what failed; it never contains a secret, an assertion or a token, and neither do its
 * fields.
 *
 * @example
 * ```ts
 * try {
 *   await client.getToken();
 * } catch (error) {
 *   if (error instanceof TokenClientError && error.code === 'invalid_client') alertOnCall(error.message);
 * }
 * ```
 */
export class TokenClientError extends Error {
  override readonly name = 'TokenClientError';
  readonly code: TokenClientErrorCode;
  /** The issuer's HTTP status, where it answered. */
  declare readonly status?: number;
  /** The issuer's OAuth `error` value, where it sent one (`invalid_client`, `invalid_scope`…). */
  declare readonly oauthError?: string;

  constructor(code: TokenClientErrorCode, message: string, options?: TokenClientErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options?.status !== undefined) this.status = options.status;
    if (options?.oauthError !== undefined) this.oauthError = options.oauthError;
  }
}

const CODES: ReadonlySet<string> = new Set<TokenClientErrorCode>(['invalid_client', 'grant_refused', 'issuer_unavailable']);

/** True for a {@link TokenClientError}, across module copies (ESM and CJS builds). */
export function isTokenClientError(value: unknown): value is TokenClientError {
  if (value instanceof TokenClientError) return true;
  if (!(value instanceof Error) || value.name !== 'TokenClientError') return false;
  const { code } = value as { code?: unknown };
  return typeof code === 'string' && CODES.has(code);
}
