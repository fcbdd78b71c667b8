import type { AccessTokenClaims } from '../claims/types.js';
import type { Algorithm } from '../token/algorithms.js';
import type { JwsHeader } from '../token/parse.js';
import { untrusted } from './sink.js';

/**
 * The context object of the `tokenwarden:verify` TracingChannel: one per `verifyAccessToken`
 * call, the same object in its `start`, `end`, `asyncStart`, `asyncEnd` and `error` events.
 * Fields are filled in as verification learns them, so `start` sees none of them. It never
 * holds the token, its signature or its raw header, and never the claims beyond `sub`,
 * `clientId` and `scope` (the TracingChannel's `result` is left unset).
 */
export interface VerifyContext {
  /**
   * The issuer the token was matched to, once it is: a configured issuer, or for an issuer
   * template the token's own `iss` once it matched the template for a trusted tenant. Never an
   * `iss` that matches no configured issuer: such a token is refused (`issuer_invalid`) with
   * this left unset.
   */
  issuer?: string;
  /**
   * The `kid` of the token's header, cut to 128 characters; unset when the header has none.
   * Untrusted input until the signature is verified: the token's author chose it.
   */
  kid?: string;
  /** The `alg` of the token's header, once the header is parsed (always an accepted algorithm). */
  alg?: Algorithm;
  /** True when the token was answered from the verified-token cache, false when verified in full. */
  cached?: boolean;
  /** On success: the `sub` claim, when the token has one. */
  sub?: string;
  /** On success: the `client_id` claim, when the token has one. */
  clientId?: string;
  /** On success: the `scope` claim (space-separated scopes), when the token has one. */
  scope?: string;
  /** Set by the TracingChannel on failure: the AccessTokenError (its `code` and `status`). */
  error?: unknown;
}

/** The part of a TracingChannel the verifier uses. */
export interface VerifyTracing {
  /** False while nobody listens to any of the five channels: no context is then built. */
  readonly hasSubscribers: boolean;
  tracePromise(fn: () => Promise<void>, context: VerifyContext): Promise<void>;
}

/** What a trace may learn from the header: the algorithm, the kid (cut), and whether the cache answered. */
export function describeHeader(context: VerifyContext, header: JwsHeader, cached: boolean, issuer: string | undefined): void {
  context.cached = cached;
  context.alg = header.alg;
  const kid = untrusted(header.kid);
  if (kid !== undefined) context.kid = kid;
  if (issuer !== undefined) context.issuer = issuer;
}

/** The claims a trace may carry; validateClaims has checked that each, when present, is a string. */
export function describeClaims(context: VerifyContext, claims: AccessTokenClaims): void {
  const { sub, client_id: clientId, scope } = claims;
  if (sub !== undefined) context.sub = sub;
  if (clientId !== undefined) context.clientId = clientId;
  if (scope !== undefined) context.scope = scope;
}
