// DPoP proofs for tests (RFC 9449 §4): a client key pair and proofs signed with it, through
// node:crypto alone (like the test issuer, so that CommonJS test runners load it).
import { createHash, randomUUID, sign, type JsonWebKey } from 'node:crypto';
import { thumbprintInput } from '../jwks/thumbprint.js';
import { ALGORITHM_SPECS, type Algorithm } from '../token/algorithms.js';
import { newKeyPair, signerFor } from './keys.js';

/** Options of {@link createDpopKey}. */
export interface DpopKeyOptions {
  /** Algorithm of the key and of its proofs. @default 'ES256' */
  algorithm?: Algorithm;
}

/** What one proof says; everything has a sensible default but `method` and `url`. */
export interface DpopProofOptions {
  /** The request method (`htm`). */
  method: string;
  /** The request URL (`htu`); its query and fragment are dropped, as RFC 9449 §4.2 asks. */
  url: string;
  /** The access token the proof goes with: sets `ath`. @default unset (no `ath`) */
  accessToken?: string;
  /** The server's nonce (`nonce`). @default unset */
  nonce?: string;
  /** Seconds since the epoch. @default now */
  iat?: number;
  /** @default a random UUID */
  jti?: string;
  /** Header parameters to add or replace (`undefined` removes one), to forge bad proofs. @default {} */
  header?: Record<string, unknown>;
  /** Claims to add or replace (`undefined` removes one), to forge bad proofs. @default {} */
  claims?: Record<string, unknown>;
}

/** A client's DPoP key: its thumbprint, for `cnf.jkt`, and proofs signed with it. */
export interface DpopKey {
  readonly algorithm: Algorithm;
  /** The public key, as proofs carry it in their `jwk` header. */
  readonly publicJwk: JsonWebKey;
  /** RFC 7638 thumbprint (SHA-256, base64url): the `cnf.jkt` of tokens bound to this key. */
  readonly jkt: string;
  /** A signed proof, to send in the `DPoP` header. */
  proof(options: DpopProofOptions): string;
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The RFC 7638 thumbprint of a public JWK (RSA, EC or OKP). */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const input = thumbprintInput(jwk as Record<string, unknown>);
  if (input === undefined) throw new TypeError('tokenwarden: jwkThumbprint needs a public RSA, EC or OKP JWK');
  return createHash('sha256').update(input).digest('base64url');
}

function withOverrides(base: Record<string, unknown>, overrides: Record<string, unknown> | undefined): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base, ...overrides };
  for (const name of Object.keys(merged)) if (merged[name] === undefined) delete merged[name];
  return merged;
}

/**
 * Creates a DPoP key pair for a test client.
 *
 * @example
 * ```ts
 * import { createDpopKey, createTestIssuer } from 'tokenwarden/testing';
 *
 * const key = await createDpopKey();
 * const token = await issuer.sign({}, { dpop: key });
 * const proof = key.proof({ method: 'GET', url: 'http://127.0.0.1:3000/orders', accessToken: token });
 * await fetch('http://127.0.0.1:3000/orders', { headers: { authorization: `DPoP ${token}`, dpop: proof } });
 * ```
 */
export async function createDpopKey(options: DpopKeyOptions = {}): Promise<DpopKey> {
  const algorithm = options.algorithm ?? 'ES256';
  const { publicKey, privateKey } = await newKeyPair(algorithm);
  const { kty, n, e, crv, x, y } = publicKey.export({ format: 'jwk' });
  const publicJwk = withOverrides({ kty, n, e, crv, x, y }, undefined) as JsonWebKey;
  const { hash } = ALGORITHM_SPECS[algorithm];
  const signer = signerFor(algorithm, privateKey);
  return {
    algorithm,
    publicJwk,
    jkt: jwkThumbprint(publicJwk),
    proof(proofOptions) {
      const url = new URL(proofOptions.url);
      const header = withOverrides({ typ: 'dpop+jwt', alg: algorithm, jwk: publicJwk }, proofOptions.header);
      const claims = withOverrides(
        {
          jti: proofOptions.jti ?? randomUUID(),
          htm: proofOptions.method,
          htu: `${url.origin}${url.pathname}`,
          iat: proofOptions.iat ?? Math.floor(Date.now() / 1000),
          ath: proofOptions.accessToken === undefined ? undefined : createHash('sha256').update(proofOptions.accessToken).digest('base64url'),
          nonce: proofOptions.nonce,
        },
        proofOptions.claims,
      );
      const signingInput = `${encode(header)}.${encode(claims)}`;
      return `${signingInput}.${sign(hash ?? null, Buffer.from(signingInput), signer).toString('base64url')}`;
    },
  };
}
