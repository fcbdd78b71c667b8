/**
 * The state of one issuer's key set, from `verifier.health()`. Times are seconds since the
 * epoch (fractional), like `Date.now() / 1000`. Reading it never fetches anything.
 */
export interface IssuerHealth {
  /** The configured issuer. */
  readonly issuer: string;
  /** The key set's URL (href): configured, or discovered; `undefined` until discovery has found it. */
  readonly jwksUri: string | undefined;
  /** The distinct kids of the usable keys (a key without a kid is not listed); empty while none are usable. */
  readonly kids: readonly string[];
  /** When the last key set was fetched successfully; `undefined` if it never was. */
  readonly fetchedAt: number | undefined;
  /** When that key set goes stale (a refresh is then due); `undefined` if there was none. */
  readonly freshUntil: number | undefined;
  /**
   * The earliest time the key source may ask the issuer again (the cooldown, or the issuer's
   * Retry-After); `undefined` when it may ask now.
   */
  readonly nextAttemptAt: number | undefined;
  /** True when a key set was fetched and is past `freshUntil`. */
  readonly stale: boolean;
  /**
   * True when the key source holds keys it may verify with now: a non-empty set, fresh or
   * stale within `jwks.maxStale`.
   */
  readonly usable: boolean;
  /** The message of the last fetch's failure; `undefined` once a fetch succeeds. */
  readonly lastError: string | undefined;
}

/** What `verifier.health()` answers. */
export interface VerifierHealth {
  /** True when every configured issuer has usable keys. */
  readonly ready: boolean;
  /** One entry per configured issuer, in the configured order. */
  readonly issuers: readonly IssuerHealth[];
}
