// The `dpop` option of createVerifier (RFC 9449), resolved once at construction.
import { fail, isPlainObject, knownKeys, oneOf, seconds, unusable } from '../lib/options.js';
import { SUPPORTED_ALGORITHMS, isSupportedAlgorithm, type Algorithm } from '../token/algorithms.js';
import { parseOrigin } from './htu.js';
import { createMemoryReplayStore, type ReplayStore } from './replay.js';

/** How a verifier treats one kind of sender-constrained token. */
export type BindingMode = 'allowed' | 'required' | 'disabled';

/** DPoP-bound access tokens (RFC 9449), checked by `verifier.verifyRequest`. */
export interface DpopOptions {
  /**
   * `'allowed'`: a DPoP-bound token (`cnf.jkt`) must come with the `DPoP` scheme and a valid
   * proof; bearer tokens are accepted too. `'required'`: every token must be DPoP-bound.
   * `'disabled'`: DPoP requests and DPoP-bound tokens are refused.
   * @default 'allowed'
   */
  mode?: BindingMode;
  /**
   * Algorithms a proof may be signed with; asymmetric only (RFC 9449 §4.2), sent to clients in
   * the `DPoP algs` challenge parameter.
   * @default ['ES256','ES384','ES512','EdDSA','PS256','PS384','PS512','RS256','RS384','RS512']
   */
  algorithms?: readonly Algorithm[];
  /**
   * Seconds a proof is accepted after its `iat` (RFC 9449 §11.1), from 1 to 3600; its `jti` is
   * remembered as long.
   * @default 300
   */
  maxProofAge?: number;
  /** Seconds of clock skew tolerated on a proof's `iat`, from 0 to 300. @default 5 */
  clockTolerance?: number;
  /**
   * This API's public origins, e.g. `['https://api.example.com']`: a proof's `htu` must name one
   * of them (and the request's path). Set it behind a proxy or load balancer, where the URL a
   * request arrives at is not the one the client called; without it the request's own URL is
   * the reference.
   * @default unset (the request's own origin)
   */
  origins?: readonly string[];
  /** Server nonces (RFC 9449 §8), stateless; see {@link DpopNonceOptions}. @default unset (no nonces) */
  nonce?: DpopNonceOptions;
  /**
   * Where proofs' `jti`s are claimed, so that each proof is used once. Share one between the
   * instances of a fleet (`createRedisReplayStore`).
   * @default a memory replay store of the verifier's own
   */
  replay?: ReplayStore;
}

/** Stateless DPoP nonces: an HMAC of a time window, so instances sharing the secret agree. */
export interface DpopNonceOptions {
  /** The secret nonces are derived from, at least 32 bytes (a string counts its UTF-8 bytes). @default unset */
  secret?: string | Uint8Array;
  /**
   * Several secrets, for rotation: the first issues nonces, all are accepted. Exactly one of
   * `secret` and `secrets` is set.
   * @default unset
   */
  secrets?: readonly (string | Uint8Array)[];
  /**
   * Seconds per nonce window, from 10 to 86400: a nonce is accepted in the window it was issued
   * in and the next one, so it lives between one and two lifetimes.
   * @default 300
   */
  lifetime?: number;
}

export interface DpopSettings {
  readonly mode: BindingMode;
  readonly algorithms: ReadonlySet<Algorithm>;
  readonly maxProofAge: number;
  readonly clockTolerance: number;
  readonly origins: ReadonlySet<string> | undefined;
  readonly nonce: { readonly secrets: readonly Uint8Array[]; readonly lifetime: number } | undefined;
  readonly replay: ReplayStore;
  /** Whether `dpop` was configured: only then do the adapters' challenges advertise DPoP. */
  readonly configured: boolean;
}

/** The algorithms a proof may use by default: ECDSA and EdDSA first, the cheaper to verify. */
export const DEFAULT_PROOF_ALGORITHMS: readonly Algorithm[] = ['ES256', 'ES384', 'ES512', 'EdDSA', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'];

const encoder = new TextEncoder();

function secretBytes(name: string, value: unknown): Uint8Array {
  const bytes = typeof value === 'string' ? encoder.encode(value) : value instanceof Uint8Array ? new Uint8Array(value) : undefined;
  if (bytes === undefined) fail(name, 'a string or a Uint8Array');
  if (bytes.length < 32) throw new RangeError(`tokenwarden: option "${name}" must be at least 32 bytes long`);
  return bytes;
}

function resolveNonce(value: unknown): DpopSettings['nonce'] {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) fail('dpop.nonce', 'an object with secret or secrets');
  knownKeys('dpop.nonce', value, ['secret', 'secrets', 'lifetime']);
  if ((value.secret === undefined) === (value.secrets === undefined)) fail('dpop.nonce', 'an object with exactly one of secret and secrets');
  let secrets: Uint8Array[];
  if (value.secret !== undefined) secrets = [secretBytes('dpop.nonce.secret', value.secret)];
  else {
    if (!Array.isArray(value.secrets) || value.secrets.length === 0) fail('dpop.nonce.secrets', 'a non-empty array of secrets');
    secrets = (value.secrets as unknown[]).map((secret) => secretBytes('dpop.nonce.secrets', secret));
  }
  return { secrets, lifetime: seconds('dpop.nonce.lifetime', value.lifetime, 300, 10, 86400) };
}

function resolveProofAlgorithms(value: unknown): ReadonlySet<Algorithm> {
  if (value === undefined) return new Set(DEFAULT_PROOF_ALGORITHMS);
  if (!Array.isArray(value) || value.length === 0) fail('dpop.algorithms', 'a non-empty array of algorithm names');
  for (const alg of value) {
    if (!isSupportedAlgorithm(alg)) {
      unusable('dpop.algorithms', `contains ${JSON.stringify(alg)}; supported: ${SUPPORTED_ALGORITHMS.join(', ')} (proofs are never HMAC or "none")`);
    }
  }
  return new Set(value as Algorithm[]);
}

function resolveOrigins(value: unknown): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) fail('dpop.origins', 'a non-empty array of origins');
  const origins = new Set<string>();
  for (const item of value as unknown[]) {
    const origin = typeof item === 'string' ? parseOrigin(item) : undefined;
    if (origin === undefined) unusable('dpop.origins', `contains ${JSON.stringify(item)}, which is not an http(s) origin (scheme, host and port only)`);
    origins.add(origin);
  }
  return origins;
}

export function resolveDpopOptions(value: unknown): DpopSettings {
  const settings = value ?? {};
  if (!isPlainObject(settings)) fail('dpop', 'an object');
  knownKeys('dpop', settings, ['mode', 'algorithms', 'maxProofAge', 'clockTolerance', 'origins', 'nonce', 'replay']);
  const replay = settings.replay;
  if (replay !== undefined && (typeof replay !== 'object' || replay === null || typeof (replay as ReplayStore).claim !== 'function')) {
    fail('dpop.replay', 'a replay store (an object with a claim(key, expiresAt) method)');
  }
  return {
    mode: oneOf<BindingMode>('dpop.mode', settings.mode, ['allowed', 'required', 'disabled'], 'allowed'),
    algorithms: resolveProofAlgorithms(settings.algorithms),
    maxProofAge: seconds('dpop.maxProofAge', settings.maxProofAge, 300, 1, 3600),
    clockTolerance: seconds('dpop.clockTolerance', settings.clockTolerance, 5, 0, 300),
    origins: resolveOrigins(settings.origins),
    nonce: resolveNonce(settings.nonce),
    replay: (replay as ReplayStore | undefined) ?? createMemoryReplayStore(),
    configured: value !== undefined,
  };
}
