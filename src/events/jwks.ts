import type { Algorithm } from '../token/algorithms.js';

/** Why a key-set fetch was started; see {@link JwksFetchEvent.reason}. */
export type JwksFetchReason = 'initial' | 'unknown-kid' | 'stale' | 'retry';

/** Whether discovery metadata was read for a key-set fetch; see {@link JwksFetchEvent.metadata}. */
export type JwksMetadataReading = 'read' | 'fresh' | 'failed' | 'none';

/** `tokenwarden:jwks:fetch`: one key-set fetch attempt, published when it ends. */
export interface JwksFetchEvent {
  /** The configured issuer whose key set was fetched. */
  readonly issuer: string;
  /** The key set's URL (href), when known: unset when discovery failed with no earlier location. */
  readonly url: string | undefined;
  /**
   * Why the fetch started: `retry` when the previous attempt failed, whatever asked again;
   * otherwise `initial` (no usable key set yet), `unknown-kid` (a token's kid is not in the
   * set) or `stale` (the set is past its freshness, found by a lookup or by a cached token's
   * re-check).
   */
  readonly reason: JwksFetchReason;
  /** HTTP status of the key-set response, when one arrived (a failed answer's too). */
  readonly status: number | undefined;
  /** Milliseconds the attempt took, discovery included. */
  readonly durationMs: number;
  /** On success: how many usable keys the new set has. */
  readonly keys: number | undefined;
  /**
   * On success: the kids of keys new in this set, against the previous one. A key is new when
   * its kid, algorithms or material differ, so a kid whose key material changed is listed both
   * here and in `removed`. Keys without a kid are counted in `keys` but not listed.
   */
  readonly added: readonly string[] | undefined;
  /** On success: the kids of keys of the previous set that are not in this one. */
  readonly removed: readonly string[] | undefined;
  /** Keys of the response that were skipped as malformed or unusable, once it was read as a key set. */
  readonly skipped: number | undefined;
  /**
   * Discovery metadata for this fetch: `none` (the key set's URL is configured), `fresh` (the
   * metadata read earlier was still fresh), `read` (read now) or `failed` (reading it failed; the
   * fetch went on from the previous location, if there was one).
   */
  readonly metadata: JwksMetadataReading;
  /** Set when the metadata read for this fetch names another key-set URL than the current one. */
  readonly moved: { readonly from: string; readonly to: string } | undefined;
  /** On failure: why. Its message names the URL or the HTTP status, never a token. */
  readonly error: Error | undefined;
}

/** `tokenwarden:jwks:skipped`: a refetch for an unknown kid that the cooldown refused. */
export interface JwksSkippedEvent {
  readonly issuer: string;
  /**
   * The kid of the token's header, cut to 128 characters; unset for a token without one.
   * Untrusted input: the token was not verified, and its author chose this.
   */
  readonly kid: string | undefined;
  /** The token's `alg`. */
  readonly alg: Algorithm;
  /** Seconds until the key source may fetch again (the token's `retryAfter`). */
  readonly retryAfter: number;
  /**
   * True when a fetch since the kid was first seen had already declared it unknown, so the token
   * was refused `key_not_found` (401); false when it got `jwks_unavailable` (503).
   */
  readonly decided: boolean;
}

/** `tokenwarden:jwks:stale`: a refresh of a stale key set failed, and its cached keys stay in use. */
export interface JwksStaleEvent {
  readonly issuer: string;
  /** Seconds since the set went stale. */
  readonly staleSeconds: number;
  /** Seconds the cached keys remain usable (until `jwks.maxStale` past staleness runs out). */
  readonly usableSeconds: number;
  /** Why the refresh failed. */
  readonly error: Error;
}
