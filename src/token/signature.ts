import { ALGORITHM_SPECS, type Algorithm } from './algorithms.js';

/** The public members of a JWK that a key is imported from; nothing else reaches the import. */
export type PublicJwk =
  | { readonly kty: 'RSA'; readonly n: string; readonly e: string }
  | { readonly kty: 'EC'; readonly crv: string; readonly x: string; readonly y: string }
  | { readonly kty: 'OKP'; readonly crv: string; readonly x: string };

/** A public key from the key set, imported once per fetch and ready to verify with. */
export interface VerificationKey {
  readonly kid: string | undefined;
  /** The algorithms this key may verify: its JWK `alg`, or every allowed one its type fits. */
  readonly algorithms: ReadonlySet<Algorithm>;
  /** What the runtime imported: a node:crypto KeyObject, or state of the jose path. */
  readonly handle: unknown;
  /** RSA modulus length in bytes: an RSA signature must be exactly this long. */
  readonly modulusBytes: number | undefined;
  /** kid, algorithms and public key material: equal identities are the same key. */
  readonly identity: string;
}

/**
 * How a runtime imports keys and checks signatures: node:crypto on Node (fast, synchronous),
 * jose over WebCrypto elsewhere. Both must reach the same decision for every input.
 */
export interface SignatureRuntime {
  /**
   * Imports a public key for the given algorithms, once per key-set fetch; throws (or
   * rejects) when the key material is unusable, so a bad key is skipped on every runtime.
   */
  importKey(jwk: PublicJwk, algorithms: ReadonlySet<Algorithm>): unknown;
  /** Checks a signature whose shape {@link hasExpectedShape} has accepted. Never throws. */
  verify(alg: Algorithm, key: VerificationKey, signingInput: string, signature: Uint8Array): boolean | Promise<boolean>;
  /**
   * The same check off the main thread, used while other verifications are in flight so that
   * every core works on signatures. Absent where `verify` is already asynchronous.
   */
  verifyInBackground?(alg: Algorithm, key: VerificationKey, signingInput: string, signature: Uint8Array): Promise<boolean>;
}

/**
 * Checks common to every runtime, before any cryptography: the key is bound to this alg and
 * the signature has the one length the alg and key allow (ECDSA as R||S, never DER).
 */
export function hasExpectedShape(alg: Algorithm, key: VerificationKey, signature: Uint8Array): boolean {
  if (!key.algorithms.has(alg)) return false;
  const { signatureLength } = ALGORITHM_SPECS[alg];
  if (signatureLength !== undefined && signature.length !== signatureLength) return false;
  return key.modulusBytes === undefined || signature.length === key.modulusBytes;
}
