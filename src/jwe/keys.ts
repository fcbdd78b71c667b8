// The decryption keys of `decryption.keys`, checked once at construction: each bound to one
// `alg`, of the kind that alg needs, private, and of a usable size. What reaches jose is a copy
// holding only key material, so `use`, `key_ops` or `ext` of a user's JWK never change its meaning.
import { decodeBase64url } from '../token/decode.js';
import { fail, isPlainObject, unusable } from '../lib/options.js';
import { KEY_MANAGEMENT_SPECS, REFUSED_ALGORITHMS, isKeyManagementAlgorithm, KEY_MANAGEMENT_ALGORITHMS, type KeyManagementAlgorithm } from './algorithms.js';
import { ECDH_CURVES, coordinateBytes, isOnCurve } from './ec-point.js';

/** A private JWK (RFC 7517) to decrypt with: RSA, EC (P-256, P-384, P-521) or `oct`. */
export interface DecryptionJwk {
  readonly kty: string;
  readonly kid?: string;
  /** The one key management algorithm this key decrypts with. */
  readonly alg?: string;
  /** `enc` when present; a signing key (`sig`) is refused. */
  readonly use?: string;
  readonly [member: string]: unknown;
}

/** A node:crypto `KeyObject` (private or secret), described by what is used of it. */
export interface KeyObjectLike {
  readonly type: string;
  export(options: { format: 'jwk' }): unknown;
}

/** A key given with its algorithm (and kid) beside it, e.g. a `KeyObject`, which has neither. */
export interface DecryptionKeyEntry {
  readonly key: DecryptionJwk | KeyObjectLike;
  readonly alg: KeyManagementAlgorithm;
  readonly kid?: string;
}

/** One entry of `decryption.keys`. */
export type DecryptionKeyInput = DecryptionJwk | DecryptionKeyEntry;

/** A decryption key as checked: what selecting it and handing it to jose need. */
export interface DecryptionKey {
  readonly kid: string | undefined;
  readonly alg: KeyManagementAlgorithm;
  /** What jose decrypts with: a JWK of key members only, or the bytes of a symmetric key. */
  readonly material: Readonly<Record<string, string>> | Uint8Array;
  /** EC curve (ECDH-ES), which an `epk` must share. */
  readonly crv: string | undefined;
  /** RSA modulus length in bytes: an encrypted key must be exactly this long. */
  readonly modulusBytes: number | undefined;
  /** Symmetric key length in bytes (`dir` must match the token's `enc`). */
  readonly secretBytes: number | undefined;
}

const MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'],
  EC: ['crv', 'x', 'y', 'd'],
  oct: ['k'],
};
const KTY_FOR = { rsa: 'RSA', ecdh: 'EC', symmetric: 'oct' } as const;
const DIR_KEY_BYTES = [16, 32, 64];
const MIN_RSA_MODULUS_BYTES = 256;

function isKeyObject(value: unknown): value is KeyObjectLike {
  return typeof value === 'object' && value !== null && typeof (value as KeyObjectLike).export === 'function' && typeof (value as KeyObjectLike).type === 'string';
}

function bytesOf(name: string, jwk: Record<string, unknown>, member: string): Uint8Array {
  const value = jwk[member];
  const bytes = typeof value === 'string' && value.length > 0 ? decodeBase64url(value) : undefined;
  if (bytes === undefined) unusable(name, `has no valid "${member}" (base64url)`);
  return bytes;
}

/** The algorithm named for a key, checked: refused ones say why. */
export function keyManagementAlgorithm(name: string, value: unknown): KeyManagementAlgorithm {
  if (typeof value === 'string' && Object.hasOwn(REFUSED_ALGORITHMS, value)) unusable(name, `is ${JSON.stringify(value)}, which is never accepted: it ${REFUSED_ALGORITHMS[value]}`);
  if (!isKeyManagementAlgorithm(value)) fail(name, `one of ${KEY_MANAGEMENT_ALGORITHMS.join(', ')}`);
  return value;
}

/** Checks entry `index` of `decryption.keys`. */
export function resolveDecryptionKey(index: number, input: unknown): DecryptionKey {
  const name = `decryption.keys[${index}]`;
  let jwk: unknown = input;
  let alg: unknown;
  let kid: unknown;
  if (isPlainObject(input) && 'key' in input) {
    ({ alg, kid } = input);
    jwk = input.key;
    if (alg === undefined) fail(`${name}.alg`, 'the key management algorithm of the key');
  }
  if (isKeyObject(jwk)) {
    if (jwk.type !== 'private' && jwk.type !== 'secret') unusable(`${name}.key`, 'is a public key: decrypting needs the private key');
    jwk = jwk.export({ format: 'jwk' });
  }
  if (!isPlainObject(jwk) || typeof jwk.kty !== 'string') fail(name, 'a private JWK, a KeyObject or { key, alg, kid? }');
  if (alg !== undefined && jwk.alg !== undefined && jwk.alg !== alg) unusable(name, `gives "alg" ${JSON.stringify(alg)} for a JWK whose "alg" is ${JSON.stringify(jwk.alg)}`);
  alg = keyManagementAlgorithm(`${name}.alg`, alg ?? jwk.alg);
  kid ??= jwk.kid;
  if (kid !== undefined && (typeof kid !== 'string' || kid === '')) fail(`${name}.kid`, 'a non-empty string');
  if (jwk.use !== undefined && jwk.use !== 'enc') unusable(name, `has "use" ${JSON.stringify(jwk.use)}: a decryption key is for "enc"`);

  const algorithm = alg as KeyManagementAlgorithm;
  const spec = KEY_MANAGEMENT_SPECS[algorithm];
  const kty = KTY_FOR[spec.kind];
  if (jwk.kty !== kty) unusable(name, `is a ${JSON.stringify(jwk.kty)} key; ${algorithm} needs a ${JSON.stringify(kty)} key`);
  const members = MEMBERS[kty] as readonly string[];
  for (const member of members) if (typeof jwk[member] !== 'string') unusable(name, `has no "${member}"${member === 'd' ? ': decrypting needs the private key' : ''}`);

  const base = { kid: kid as string | undefined, alg: algorithm, crv: undefined, modulusBytes: undefined, secretBytes: undefined };
  if (kty === 'oct') {
    const secret = bytesOf(name, jwk, 'k');
    const fits = spec.keyBytes === undefined ? DIR_KEY_BYTES.includes(secret.length) : secret.length === spec.keyBytes;
    if (!fits) unusable(name, `is ${secret.length * 8} bits long, which ${algorithm} cannot use`);
    return Object.freeze({ ...base, material: secret, secretBytes: secret.length });
  }
  const material: Record<string, string> = { kty };
  for (const member of members) {
    if (member !== 'crv') bytesOf(name, jwk, member);
    material[member] = jwk[member] as string;
  }
  if (kty === 'RSA') {
    const modulus = bytesOf(name, jwk, 'n');
    const modulusBytes = modulus[0] === 0 ? modulus.length - 1 : modulus.length;
    if (modulusBytes < MIN_RSA_MODULUS_BYTES) unusable(name, 'has an RSA modulus shorter than 2048 bits');
    return Object.freeze({ ...base, material: Object.freeze(material), modulusBytes });
  }
  const crv = jwk.crv as string;
  const size = coordinateBytes(crv);
  if (size === undefined) unusable(name, `is on curve ${JSON.stringify(crv)}; ECDH-ES keys must be on ${ECDH_CURVES.join(', ')}`);
  if (bytesOf(name, jwk, 'd').length !== size || !isOnCurve(crv, bytesOf(name, jwk, 'x'), bytesOf(name, jwk, 'y'))) {
    unusable(name, `is not a valid ${crv} key`);
  }
  return Object.freeze({ ...base, material: Object.freeze(material), crv });
}
