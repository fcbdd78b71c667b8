/** `tokenwarden:revocation:error`: the revocation checker threw, rejected, timed out or answered a non-boolean. */
export interface RevocationErrorEvent {
  /** The configured issuer of the (verified) token being checked. */
  readonly issuer: string;
  /** A `revocation_unavailable` AccessTokenError; what the checker threw is its `cause`. */
  readonly error: Error;
  /** True when the token was let through all the same (`revocationFailOpen`). */
  readonly failOpen: boolean;
}

/**
 * `tokenwarden:revocation:fail-open`: a token let through because its revocation could not be
 * checked (the verifier's `revocationFailOpen`, or the Redis store's `failOpen`). Names the
 * token by its verified claims, never by its text.
 */
export interface RevocationFailOpenEvent {
  /** The token's `iss`. */
  readonly issuer: string | undefined;
  /** The token's `sub`, when it is a string. */
  readonly sub: string | undefined;
  /** The token's `jti`, when it is a string. */
  readonly jti: string | undefined;
  /** The token's `client_id`, when it is a string. */
  readonly clientId: string | undefined;
  /** Why revocation could not be checked: a `revocation_unavailable` AccessTokenError. */
  readonly error: Error;
}
