// Encrypted tokens for the JWE tests: keys made per run, tokens encrypted with jose (the
// reference encrypter) or reassembled by hand when an attack needs a header jose will not write.
import { generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import { CompactEncrypt } from 'jose';
import { b64u } from '../helpers/forge.js';

export type Jwk = JsonWebKey & { kid?: string; alg?: string; use?: string };

export interface EncryptionKey {
  /** The private (or secret) JWK the verifier is given, with `kid` and `alg`. */
  readonly privateJwk: Jwk;
  /** What the issuer encrypts to: the public JWK, or the secret bytes. */
  readonly encryptTo: Jwk | Uint8Array;
  readonly kid: string;
  readonly alg: string;
}

const CURVE_NAMES: Record<string, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };

/** A fresh RSA key (2048 bits) for `alg`. */
export function rsaKey(alg = 'RSA-OAEP-256', kid = `rsa-${alg}`): EncryptionKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'enc' },
    encryptTo: { ...publicKey.export({ format: 'jwk' }), kid, alg },
    kid,
    alg,
  };
}

/** A fresh EC key on `crv` for `alg`. */
export function ecKey(alg = 'ECDH-ES', crv = 'P-256', kid = `ec-${alg}-${crv}`): EncryptionKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: CURVE_NAMES[crv] as string });
  return {
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg },
    encryptTo: { ...publicKey.export({ format: 'jwk' }), kid, alg },
    kid,
    alg,
  };
}

/** A fresh symmetric key of `bytes` for `alg` (A*KW, A*GCMKW, dir). */
export function secretKey(alg: string, bytes: number, kid = `oct-${alg}-${bytes}`): EncryptionKey {
  const secret = randomBytes(bytes);
  return { privateJwk: { kty: 'oct', k: secret.toString('base64url'), kid, alg }, encryptTo: new Uint8Array(secret), kid, alg };
}

export interface EncryptOptions {
  readonly enc?: string;
  /** Protected header members beside alg, enc, kid and `cty: 'at+jwt'`; `undefined` removes one. */
  readonly header?: Record<string, unknown>;
}

/** Encrypts `content` (an inner JWS, or any text) to `key` as a compact JWE. */
export async function encryptTo(key: EncryptionKey, content: string | Uint8Array, options: EncryptOptions = {}): Promise<string> {
  const header: Record<string, unknown> = { alg: key.alg, enc: options.enc ?? 'A256GCM', kid: key.kid, cty: 'at+jwt', ...options.header };
  for (const name of Object.keys(header)) if (header[name] === undefined) delete header[name];
  const encryptKey = key.encryptTo instanceof Uint8Array ? key.encryptTo : { ...key.encryptTo, alg: undefined, kid: undefined };
  return new CompactEncrypt(typeof content === 'string' ? new TextEncoder().encode(content) : content).setProtectedHeader(header as never).encrypt(encryptKey as never);
}

/** The token with its protected header replaced by `header` (the other segments untouched). */
export function withHeader(token: string, header: Record<string, unknown>): string {
  const [, ...rest] = token.split('.');
  return [b64u(JSON.stringify(header)), ...rest].join('.');
}

/** The decoded protected header of a compact JWE. */
export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The token with segment `index` (0 header … 4 tag) replaced. */
export function withSegment(token: string, index: number, segment: string): string {
  const segments = token.split('.');
  segments[index] = segment;
  return segments.join('.');
}
