import { fail, isScopeToken } from './lib/options.js';

/**
 * Every reason tokenwarden refuses a token. The set is closed: users branch on it, so a new
 * code is a breaking change.
 */
export type ErrorCode =
  | 'token_malformed'
  | 'token_decryption_failed'
  | 'algorithm_not_allowed'
  | 'key_not_found'
  | 'signature_invalid'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'issuer_invalid'
  | 'audience_invalid'
  | 'type_invalid'
  | 'claim_invalid'
  | 'token_revoked'
  | 'insufficient_scope'
  | 'jwks_unavailable'
  | 'revocation_unavailable'
  | 'dpop_proof_invalid'
  | 'dpop_nonce_required'
  | 'token_binding_invalid'
  | 'token_inactive'
  | 'introspection_unavailable';

/**
 * The HTTP status each code maps to: 401 when the token is bad, 403 when it is good but not
 * enough, 503 when we cannot tell (the token may well be fine).
 */
export const ERROR_STATUS: Readonly<Record<ErrorCode, 401 | 403 | 503>> = Object.freeze({
  token_malformed: 401,
  token_decryption_failed: 401,
  algorithm_not_allowed: 401,
  key_not_found: 401,
  signature_invalid: 401,
  token_expired: 401,
  token_not_yet_valid: 401,
  issuer_invalid: 401,
  audience_invalid: 401,
  type_invalid: 401,
  claim_invalid: 401,
  token_revoked: 401,
  insufficient_scope: 403,
  jwks_unavailable: 503,
  revocation_unavailable: 503,
  dpop_proof_invalid: 401,
  dpop_nonce_required: 401,
  token_binding_invalid: 401,
  token_inactive: 401,
  introspection_unavailable: 503,
});

/**
 * A plain-language meaning for each code, safe to show to a client (adapters use it as the
 * RFC 6750 `error_description`): it never carries internals or token content.
 */
export const ERROR_DESCRIPTION: Readonly<Record<ErrorCode, string>> = Object.freeze({
  token_malformed: 'The access token is malformed',
  token_decryption_failed: 'The access token could not be decrypted',
  algorithm_not_allowed: 'The access token is signed with an algorithm that is not allowed',
  key_not_found: 'The access token is signed with an unknown key',
  signature_invalid: 'The access token signature is invalid',
  token_expired: 'The access token has expired',
  token_not_yet_valid: 'The access token is not valid yet',
  issuer_invalid: 'The access token was issued by an untrusted issuer',
  audience_invalid: 'The access token is not intended for this resource',
  type_invalid: 'The access token has the wrong type',
  claim_invalid: 'The access token has an invalid claim',
  token_revoked: 'The access token has been revoked',
  insufficient_scope: 'The access token does not grant the required permissions',
  jwks_unavailable: 'The signing keys are temporarily unavailable',
  revocation_unavailable: 'The revocation status is temporarily unavailable',
  dpop_proof_invalid: 'The DPoP proof is invalid',
  dpop_nonce_required: 'A DPoP proof with the nonce in the DPoP-Nonce header is required',
  token_binding_invalid: 'The access token is bound to another key or certificate, or was sent without its proof',
  token_inactive: 'The access token is not active',
  introspection_unavailable: 'The access token cannot be checked with its issuer right now',
});

/**
 * The OAuth error name each code is sent under, where it is not RFC 6750's `invalid_token`
 * (401) or `insufficient_scope` (403): the DPoP errors of RFC 9449 §7.1 and §8.
 */
export const OAUTH_ERROR: Readonly<Partial<Record<ErrorCode, string>>> = Object.freeze({
  dpop_proof_invalid: 'invalid_dpop_proof',
  dpop_nonce_required: 'use_dpop_nonce',
});

/**
 * The one error tokenwarden raises for a refused token. Branch on {@link AccessTokenError.code};
 * `status` is the HTTP status an API should answer with. The message says what failed and
 * never contains the token.
 *
 * @example
 * ```ts
 * try {
 *   await verifier.verifyAccessToken(token);
 * } catch (error) {
 *   if (error instanceof AccessTokenError && error.code === 'token_expired') { ... }
 * }
 * ```
 */
export class AccessTokenError extends Error {
  override readonly name = 'AccessTokenError';
  readonly code: ErrorCode;
  readonly status: 401 | 403 | 503;
  // The optional fields below are `declare`d: no class field is emitted, so each property
  // exists only on errors that set it.
  /**
   * Seconds until trying again may succeed, where the verifier knows: on `jwks_unavailable`,
   * the time until the key source will next ask the issuer (cooldown or the issuer's own
   * `Retry-After`); on `introspection_unavailable`, the issuer's `Retry-After` or 1. The
   * adapters send it as `Retry-After`.
   */
  declare readonly retryAfter?: number;
  /**
   * The scopes the refused route requires. The adapters send them, space-separated, as the
   * `scope` of the `WWW-Authenticate` challenge (RFC 6750 §3), so a client knows what to ask for.
   */
  declare readonly requiredScopes?: readonly string[];
  /**
   * A description of the refusal that is safe to show to a client. The adapters send it as the
   * `error_description` instead of the code's generic one ({@link ERROR_DESCRIPTION}).
   */
  declare readonly description?: string;
  /**
   * On `dpop_nonce_required`: the nonce the client must put in its next DPoP proof. The
   * adapters send it as the `DPoP-Nonce` header (RFC 9449 §8). A nonce is no secret.
   */
  declare readonly dpopNonce?: string;

  constructor(code: ErrorCode, message: string, options?: AccessTokenErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = ERROR_STATUS[code];
    if (options === undefined) return;
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
    if (options.requiredScopes !== undefined) this.requiredScopes = scopeList(options.requiredScopes);
    if (options.description !== undefined) this.description = clientText(options.description);
    if (options.dpopNonce !== undefined) this.dpopNonce = options.dpopNonce;
  }
}

/** What an {@link AccessTokenError} may carry beyond its code and message. */
export interface AccessTokenErrorOptions {
  /** The error behind this one. @default unset */
  cause?: unknown;
  /** See {@link AccessTokenError.retryAfter}. Seconds. @default unset */
  retryAfter?: number;
  /**
   * See {@link AccessTokenError.requiredScopes}. Each a scope token of RFC 6749 §3.3 (printable
   * ASCII without spaces, quotes or backslashes).
   * @default unset (no `scope` in the challenge)
   */
  requiredScopes?: readonly string[];
  /** See {@link AccessTokenError.description}. @default unset (the code's generic description) */
  description?: string;
  /** See {@link AccessTokenError.dpopNonce}. @default unset */
  dpopNonce?: string;
}

function scopeList(value: readonly string[]): readonly string[] {
  if (!Array.isArray(value) || !value.every(isScopeToken)) {
    fail('requiredScopes', 'an array of scopes (printable ASCII without spaces, quotes or backslashes)');
  }
  return Object.freeze([...value]);
}

function clientText(value: string): string {
  if (typeof value !== 'string' || value === '') fail('description', 'a non-empty string');
  return value;
}

/**
 * An `insufficient_scope` refusal (403), for a guard of your own: the token is valid but does
 * not allow what the route does. `message` is for your logs; `requiredScopes` and `description`
 * are what the client is told, in the `WWW-Authenticate` challenge and the JSON body.
 *
 * @example
 * ```ts
 * import { insufficientScope, type Guard } from 'tokenwarden';
 *
 * // This issuer grants refunds in a `permissions` claim; the client is told which scope to ask for.
 * const canRefund: Guard<{ permissions?: string[] }> = (claims) => {
 *   if (claims.permissions?.includes('orders:refund')) return;
 *   throw insufficientScope(`token of ${claims.sub} lacks orders:refund`, {
 *     requiredScopes: ['orders:refund'],
 *     description: 'Refunds need the orders:refund permission',
 *   });
 * };
 *
 * app.post('/refunds', auth.protect(canRefund), refund);
 * // 403, WWW-Authenticate: Bearer realm="…", error="insufficient_scope",
 * //   error_description="Refunds need the orders:refund permission", scope="orders:refund"
 * ```
 */
export function insufficientScope(
  message: string,
  options?: { requiredScopes?: readonly string[]; description?: string },
): AccessTokenError {
  return new AccessTokenError('insufficient_scope', message, options);
}

/** True for an {@link AccessTokenError}, across module copies (ESM and CJS builds). */
export function isAccessTokenError(value: unknown): value is AccessTokenError {
  if (value instanceof AccessTokenError) return true;
  if (!(value instanceof Error) || value.name !== 'AccessTokenError') return false;
  const { code } = value as { code?: unknown };
  return typeof code === 'string' && Object.hasOwn(ERROR_STATUS, code);
}
