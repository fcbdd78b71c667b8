// Private keys as the user has them (KeyObject, CryptoKey, JWK) turned into the WebCrypto keys
// oauth4webapi signs with. The kind of key is checked at construction; importing is async and
// happens on first use.
import { KeyObject, createPublicKey, webcrypto, type JsonWebKey } from 'node:crypto';
import { unusable } from '../lib/options.js';
import type { ClientPrivateKey } from './options.js';

type ImportAlgorithm = Parameters<typeof webcrypto.subtle.importKey>[2];

// RSA signs RS256: what every issuer takes for private_key_jwt (RFC 7518 §3.1 says "Recommended").
function algorithmOf(jwk: JsonWebKey): ImportAlgorithm | undefined {
  if (jwk.kty === 'EC' && (jwk.crv === 'P-256' || jwk.crv === 'P-384' || jwk.crv === 'P-521')) return { name: 'ECDSA', namedCurve: jwk.crv };
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return { name: 'Ed25519' };
  if (jwk.kty === 'RSA') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  return undefined;
}

function isCryptoKey(key: ClientPrivateKey): key is CryptoKey {
  return typeof (key as CryptoKey).algorithm === 'object' && typeof (key as CryptoKey).usages === 'object';
}

/** Throws TypeError naming `name` when `key` cannot sign here; `needsPublic` for DPoP, whose proofs carry the public key. */
export function checkPrivateKey(name: string, key: ClientPrivateKey, needsPublic: boolean): void {
  if (isCryptoKey(key)) {
    const algorithm = key.algorithm.name;
    if (!['ECDSA', 'Ed25519', 'RSASSA-PKCS1-v1_5', 'RSA-PSS'].includes(algorithm)) unusable(name, `is a ${algorithm} key; ECDSA, Ed25519 or RSA is needed`);
    if (!key.usages.includes('sign')) unusable(name, 'is a CryptoKey without the "sign" usage');
    if (needsPublic && !key.extractable) unusable(name, 'must be extractable as a CryptoKey (its public half goes in every proof), or pass a KeyObject or JWK');
    return;
  }
  const supported = key instanceof KeyObject ? KEY_TYPES.has(`${key.asymmetricKeyType}/${key.asymmetricKeyDetails?.namedCurve ?? ''}`) : algorithmOf(key) !== undefined;
  if (!supported) unusable(name, 'must be an EC (P-256, P-384, P-521), Ed25519 or RSA key');
}

const KEY_TYPES: ReadonlySet<string> = new Set(['ec/prime256v1', 'ec/secp384r1', 'ec/secp521r1', 'ed25519/', 'rsa/']);

function publicJwk(jwk: JsonWebKey): JsonWebKey {
  if (jwk.kty === 'RSA') return { kty: 'RSA', n: jwk.n, e: jwk.e } as JsonWebKey;
  if (jwk.kty === 'EC') return { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y } as JsonWebKey;
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x } as JsonWebKey;
}

/** The signing key, and the `kid` a JWK names. */
export async function signingKey(key: ClientPrivateKey): Promise<{ key: CryptoKey; kid?: string }> {
  if (isCryptoKey(key)) return { key };
  const jwk = key instanceof KeyObject ? (key.export({ format: 'jwk' }) as JsonWebKey) : key;
  const { kty, crv, x, y, n, e, d, p, q, dp, dq, qi } = jwk;
  const imported = (await webcrypto.subtle.importKey(
    'jwk',
    JSON.parse(JSON.stringify({ kty, crv, x, y, n, e, d, p, q, dp, dq, qi })) as JsonWebKey,
    algorithmOf(jwk) as ImportAlgorithm,
    false,
    ['sign'],
  )) as CryptoKey;
  return typeof jwk.kid === 'string' ? { key: imported, kid: jwk.kid } : { key: imported };
}

/** The key pair DPoP proofs are signed with: the given key, or a fresh P-256 one for `true`. */
export async function dpopKeyPair(key: ClientPrivateKey | true): Promise<CryptoKeyPair> {
  if (key === true) {
    return (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  }
  let jwk: JsonWebKey;
  if (isCryptoKey(key)) jwk = (await webcrypto.subtle.exportKey('jwk', key as webcrypto.CryptoKey)) as JsonWebKey;
  else jwk = key instanceof KeyObject ? (createPublicKey(key).export({ format: 'jwk' }) as JsonWebKey) : key;
  const algorithm = isCryptoKey(key) ? (key.algorithm as ImportAlgorithm) : (algorithmOf(jwk) as ImportAlgorithm);
  const privateKey = isCryptoKey(key) ? key : (await signingKey(key)).key;
  // oauth4webapi reads the public key to put it in each proof's header: it must be extractable.
  const publicKey = (await webcrypto.subtle.importKey('jwk', publicJwk(jwk), algorithm, true, ['verify'])) as CryptoKey;
  return { privateKey, publicKey };
}
