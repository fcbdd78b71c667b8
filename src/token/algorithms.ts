// The JWS algorithms tokenwarden verifies, and what each demands of a key. Only asymmetric
// algorithms exist here: keys come from a public JWKS, so HMAC (a shared secret) and `none`
// can never be configured, which closes the classic RS256→HS256 key-confusion attack.

export const SUPPORTED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

/** A JWS `alg` tokenwarden can verify. */
export type Algorithm = (typeof SUPPORTED_ALGORITHMS)[number];

export type AlgorithmFamily = 'RSA' | 'RSA-PSS' | 'EC' | 'OKP';

export interface AlgorithmSpec {
  readonly family: AlgorithmFamily;
  /** JWK `kty` a key must have. */
  readonly kty: 'RSA' | 'EC' | 'OKP';
  /** node:crypto digest name; `undefined` for EdDSA, which hashes internally. */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | undefined;
  /** JWK `crv` values a key may have (EC and OKP only). */
  readonly curves: readonly string[];
  /** Exact R||S signature length in bytes (ECDSA only): JWS never uses DER. */
  readonly signatureLength: number | undefined;
}

const rsa = (family: 'RSA' | 'RSA-PSS', hash: 'sha256' | 'sha384' | 'sha512'): AlgorithmSpec => ({
  family,
  kty: 'RSA',
  hash,
  curves: [],
  signatureLength: undefined,
});

const ec = (hash: 'sha256' | 'sha384' | 'sha512', curve: string, signatureLength: number): AlgorithmSpec => ({
  family: 'EC',
  kty: 'EC',
  hash,
  curves: [curve],
  signatureLength,
});

export const ALGORITHM_SPECS: Readonly<Record<Algorithm, AlgorithmSpec>> = Object.freeze({
  RS256: rsa('RSA', 'sha256'),
  RS384: rsa('RSA', 'sha384'),
  RS512: rsa('RSA', 'sha512'),
  PS256: rsa('RSA-PSS', 'sha256'),
  PS384: rsa('RSA-PSS', 'sha384'),
  PS512: rsa('RSA-PSS', 'sha512'),
  ES256: ec('sha256', 'P-256', 64),
  ES384: ec('sha384', 'P-384', 96),
  ES512: ec('sha512', 'P-521', 132),
  // Ed25519 only: the jose/WebCrypto path cannot verify Ed448, and both runtimes must decide alike.
  EdDSA: { family: 'OKP', kty: 'OKP', hash: undefined, curves: ['Ed25519'], signatureLength: undefined },
});

export function isSupportedAlgorithm(value: unknown): value is Algorithm {
  return typeof value === 'string' && Object.hasOwn(ALGORITHM_SPECS, value);
}

/** Smallest RSA modulus accepted, in bits (NIST SP 800-131A; RFC 7518 §3.3 requires 2048). */
export const MIN_RSA_MODULUS_BITS = 2048;
