// The JWE attack corpus: every way of getting an encrypted token past the verifier that the
// issue names (refused algorithms, unsigned or wrongly signed content, an unconfigured issuer,
// invalid-curve ECDH-ES, a truncated tag, oversized content, zip, a wrong kid, a JWE in a JWE)
// and more, each with the code it must get. Run on the Node build (test/security) and on both
// builds side by side (test/jwe/runtimes.test.ts). Keys are generated per run.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ErrorCode } from '../../src/errors.js';
import { accessClaims, b64u, forgeToken, generateKey, signToken, type ForgeKey } from '../helpers/forge.js';
import { ecKey, encryptTo, headerOf, rsaKey, secretKey, withHeader, withSegment, type EncryptionKey } from './support.js';

export interface JweCase {
  readonly name: string;
  readonly token: string;
  readonly code: ErrorCode | 'accepted';
  /** Refused before any key is used: no WebCrypto call may happen. */
  readonly beforeKeyUse: boolean;
}

export interface JweCorpus {
  /** The issuer's signing key (ES256): its public JWK is the verifier's key set. */
  readonly signer: ForgeKey;
  /** The private keys the verifier decrypts with. */
  readonly keys: readonly EncryptionKey[];
  /** Inner JWSs and key material that must never appear in an error or event. */
  readonly secrets: readonly string[];
  readonly cases: readonly JweCase[];
}

// Wycheproof's "invalid_point" JWK: a P-256 point with its y changed, off the curve.
function wycheproofInvalidPoint(): { x: string; y: string } {
  const file = resolve(import.meta.dirname, '../fixtures/wycheproof/json_web_key_test.json');
  const vectors = JSON.parse(readFileSync(file, 'utf8')) as { testGroups: { comment: string; public?: { keys: { x: string; y: string }[] } }[] };
  const group = vectors.testGroups.find((candidate) => candidate.comment === 'invalid_point');
  const key = group?.public?.keys[0];
  if (key === undefined) throw new Error('no invalid_point group in the Wycheproof JWK vectors');
  return { x: key.x, y: key.y };
}

/** Flips the low bit of byte `index` of a base64url segment. */
function flip(segment: string, index = 0): string {
  const bytes = Buffer.from(segment, 'base64url');
  bytes[index] = (bytes[index] as number) ^ 0x01;
  return bytes.toString('base64url');
}

export async function buildJweCorpus(): Promise<JweCorpus> {
  const signer = generateKey('ES256', { kid: 'issuer-es256' });
  const attacker = generateKey('ES256', { kid: 'issuer-es256' });
  const rsa = rsaKey('RSA-OAEP-256', 'enc-rsa');
  const ec = ecKey('ECDH-ES', 'P-256', 'enc-ec');
  const dir = secretKey('dir', 32, 'enc-dir');
  const strangerRsa = rsaKey('RSA-OAEP-256', 'enc-rsa');
  const gcmkw = secretKey('A256GCMKW', 32, 'enc-gcmkw');

  const inner = signToken(signer);
  const good = await encryptTo(rsa, inner);
  const goodEc = await encryptTo(ec, inner);
  const goodDir = await encryptTo(dir, inner);
  const goodCbc = await encryptTo(rsa, inner, { enc: 'A256CBC-HS512' });
  const goodGcmkw = await encryptTo(gcmkw, inner);
  const gcmkwHeader = headerOf(goodGcmkw);
  const rsaHeader = headerOf(good);
  const ecHeader = headerOf(goodEc);
  const epk = ecHeader.epk as Record<string, string>;
  const offCurveY = flip(epk.y as string, 31);
  const otherCurve = ecKey('ECDH-ES', 'P-384', 'x');
  const p384Epk = { kty: 'EC', crv: 'P-384', x: otherCurve.privateJwk.x, y: otherCurve.privateJwk.y };

  const unsigned = forgeToken({ header: { alg: 'none', typ: 'at+jwt' }, payload: accessClaims() });
  const wronglySigned = signToken(attacker);
  const strangerIssued = signToken(signer, accessClaims({ iss: 'https://stranger.example.com' }));
  const expired = signToken(signer, accessClaims({ exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200 }));
  const padding = 'x'.repeat(9000);
  const oversized = signToken(signer, accessClaims({ padding }));
  const nested = await encryptTo(rsa, inner);

  const [header, key, iv, ciphertext, tag] = good.split('.') as [string, string, string, string, string];
  const cases: JweCase[] = [
    { name: 'RSA-OAEP-256 with A256GCM, from the configured issuer', token: good, code: 'accepted', beforeKeyUse: false },
    { name: 'ECDH-ES on P-256', token: goodEc, code: 'accepted', beforeKeyUse: false },
    { name: 'dir with A256GCM', token: goodDir, code: 'accepted', beforeKeyUse: false },
    { name: 'A256CBC-HS512', token: goodCbc, code: 'accepted', beforeKeyUse: false },
    { name: 'A256GCMKW', token: goodGcmkw, code: 'accepted', beforeKeyUse: false },
    // Refused algorithms, before any key is used.
    { name: 'alg RSA1_5', token: withHeader(good, { ...rsaHeader, alg: 'RSA1_5' }), code: 'algorithm_not_allowed', beforeKeyUse: true },
    ...['PBES2-HS256+A128KW', 'PBES2-HS384+A192KW', 'PBES2-HS512+A256KW'].map((alg) => ({
      name: `alg ${alg} with a huge p2c`,
      token: withHeader(good, { ...rsaHeader, alg, p2c: 1_000_000_000, p2s: b64u('saltsaltsalt') }),
      code: 'algorithm_not_allowed' as const,
      beforeKeyUse: true,
    })),
    { name: 'alg A256KW keyed with the RSA key (not configured)', token: withHeader(good, { ...rsaHeader, alg: 'A256KW' }), code: 'algorithm_not_allowed', beforeKeyUse: true },
    { name: 'alg none', token: withHeader(good, { ...rsaHeader, alg: 'none' }), code: 'algorithm_not_allowed', beforeKeyUse: true },
    { name: 'enc A192GCM', token: withHeader(good, { ...rsaHeader, enc: 'A192GCM' }), code: 'algorithm_not_allowed', beforeKeyUse: true },
    { name: 'enc A128CBC (unauthenticated)', token: withHeader(good, { ...rsaHeader, enc: 'A128CBC' }), code: 'algorithm_not_allowed', beforeKeyUse: true },
    // Header rules.
    { name: 'zip DEF', token: withHeader(good, { ...rsaHeader, zip: 'DEF' }), code: 'token_malformed', beforeKeyUse: true },
    { name: 'crit naming an unknown parameter', token: withHeader(good, { ...rsaHeader, crit: ['exp'], exp: 1 }), code: 'token_malformed', beforeKeyUse: true },
    { name: 'no cty', token: withHeader(good, { ...rsaHeader, cty: undefined }), code: 'token_malformed', beforeKeyUse: true },
    { name: 'cty JSON', token: withHeader(good, { ...rsaHeader, cty: 'JSON' }), code: 'token_malformed', beforeKeyUse: true },
    { name: 'duplicate alg in the header', token: withSegment(good, 0, b64u(`{"alg":"RSA-OAEP-256","alg":"dir","enc":"A256GCM","cty":"JWT"}`)), code: 'token_malformed', beforeKeyUse: true },
    { name: 'no enc', token: withHeader(good, { ...rsaHeader, enc: undefined }), code: 'token_malformed', beforeKeyUse: true },
    { name: 'a kid that is a number', token: withHeader(good, { ...rsaHeader, kid: 7 }), code: 'token_malformed', beforeKeyUse: true },
    { name: 'a 5000-character header', token: withHeader(good, { ...rsaHeader, pad: 'p'.repeat(5000) }), code: 'token_malformed', beforeKeyUse: true },
    { name: 'A256GCMKW without its header tag', token: withHeader(goodGcmkw, { ...gcmkwHeader, tag: undefined }), code: 'token_malformed', beforeKeyUse: true },
    { name: 'A256GCMKW with a 16-byte header iv', token: withHeader(goodGcmkw, { ...gcmkwHeader, iv: b64u(new Uint8Array(16)) }), code: 'token_malformed', beforeKeyUse: true },
    { name: 'A256GCMKW with a wrapped key of the wrong length', token: withSegment(goodGcmkw, 1, b64u(new Uint8Array(40))), code: 'token_malformed', beforeKeyUse: true },
    { name: 'CBC ciphertext that is not whole blocks', token: withSegment(goodCbc, 3, Buffer.from(goodCbc.split('.')[3] as string, 'base64url').subarray(1).toString('base64url')), code: 'token_malformed', beforeKeyUse: true },
    { name: 'kid naming no key of ours', token: withHeader(good, { ...rsaHeader, kid: 'someone-else' }), code: 'token_decryption_failed', beforeKeyUse: true },
    // Sizes and encodings.
    { name: 'a truncated GCM tag (12 of 16 bytes)', token: withSegment(good, 4, Buffer.from(tag, 'base64url').subarray(0, 12).toString('base64url')), code: 'token_malformed', beforeKeyUse: true },
    { name: 'a truncated CBC-HS512 tag (16 of 32 bytes)', token: withSegment(goodCbc, 4, Buffer.from(goodCbc.split('.')[4] as string, 'base64url').subarray(0, 16).toString('base64url')), code: 'token_malformed', beforeKeyUse: true },
    { name: 'an empty tag', token: withSegment(good, 4, ''), code: 'token_malformed', beforeKeyUse: true },
    { name: 'an IV of the wrong length', token: withSegment(good, 2, b64u(new Uint8Array(16))), code: 'token_malformed', beforeKeyUse: true },
    { name: 'an encrypted key with dir', token: withSegment(goodDir, 1, key), code: 'token_malformed', beforeKeyUse: true },
    { name: 'an RSA encrypted key of the wrong length', token: withSegment(good, 1, Buffer.from(key, 'base64url').subarray(1).toString('base64url')), code: 'token_decryption_failed', beforeKeyUse: true },
    { name: 'padded base64 in the ciphertext', token: withSegment(good, 3, `${ciphertext}==`), code: 'token_malformed', beforeKeyUse: true },
    { name: 'content longer than maxTokenLength', token: await encryptTo(rsa, oversized), code: 'token_malformed', beforeKeyUse: true },
    { name: 'a 1 MB token', token: `${header}.${key}.${iv}.${'A'.repeat(1_048_576)}.${tag}`, code: 'token_malformed', beforeKeyUse: true },
    { name: 'six segments', token: `${good}.${tag}`, code: 'token_malformed', beforeKeyUse: true },
    // Invalid-curve ECDH-ES: the ephemeral key must be a point of our key's curve.
    { name: 'an epk off the curve (one bit of y flipped)', token: withHeader(goodEc, { ...ecHeader, epk: { ...epk, y: offCurveY } }), code: 'token_malformed', beforeKeyUse: true },
    { name: "Wycheproof's invalid_point as epk", token: withHeader(goodEc, { ...ecHeader, epk: { kty: 'EC', crv: 'P-256', ...wycheproofInvalidPoint() } }), code: 'token_malformed', beforeKeyUse: true },
    { name: 'an epk on another curve (P-384)', token: withHeader(goodEc, { ...ecHeader, epk: p384Epk }), code: 'token_malformed', beforeKeyUse: true },
    { name: 'an epk at (0, 0)', token: withHeader(goodEc, { ...ecHeader, epk: { ...epk, x: b64u(new Uint8Array(32)), y: b64u(new Uint8Array(32)) } }), code: 'token_malformed', beforeKeyUse: true },
    { name: 'an epk carrying a private key', token: withHeader(goodEc, { ...ecHeader, epk: { ...epk, d: ec.privateJwk.d } }), code: 'token_malformed', beforeKeyUse: true },
    { name: 'no epk', token: withHeader(goodEc, { ...ecHeader, epk: undefined }), code: 'token_malformed', beforeKeyUse: true },
    // Tampering: each decrypts to nothing, with one answer whatever failed.
    { name: 'a flipped ciphertext bit', token: withSegment(good, 3, flip(ciphertext)), code: 'token_decryption_failed', beforeKeyUse: false },
    { name: 'a flipped tag bit', token: withSegment(good, 4, flip(tag)), code: 'token_decryption_failed', beforeKeyUse: false },
    { name: 'a flipped encrypted-key bit', token: withSegment(good, 1, flip(key, 100)), code: 'token_decryption_failed', beforeKeyUse: false },
    { name: 'a header member added (the AAD changes)', token: withHeader(good, { ...rsaHeader, extra: 1 }), code: 'token_decryption_failed', beforeKeyUse: false },
    { name: 'encrypted to another key under our kid', token: await encryptTo(strangerRsa, inner), code: 'token_decryption_failed', beforeKeyUse: false },
    // The content must be a JWT that verifies like any other.
    { name: 'an unsigned JWT (alg none) inside', token: await encryptTo(rsa, unsigned), code: 'algorithm_not_allowed', beforeKeyUse: false },
    { name: 'a JWT signed by another key under the issuer kid', token: await encryptTo(rsa, wronglySigned), code: 'signature_invalid', beforeKeyUse: false },
    { name: 'a JWT from an unconfigured issuer', token: await encryptTo(rsa, strangerIssued), code: 'issuer_invalid', beforeKeyUse: false },
    { name: 'an expired JWT', token: await encryptTo(rsa, expired), code: 'token_expired', beforeKeyUse: false },
    { name: 'bare JSON claims claiming cty JWT', token: await encryptTo(rsa, JSON.stringify(accessClaims())), code: 'token_malformed', beforeKeyUse: false },
    { name: 'a JWE inside a JWE', token: await encryptTo(rsa, nested), code: 'token_malformed', beforeKeyUse: false },
    { name: 'text that is not UTF-8 inside', token: await encryptTo(dir, new Uint8Array([0xff, 0xfe, 0x41])), code: 'token_malformed', beforeKeyUse: false },
  ];
  const secrets = [inner, unsigned, wronglySigned, strangerIssued, ...[rsa, ec, dir, gcmkw].map((k) => (k.privateJwk.d ?? k.privateJwk.k) as string)];
  return { signer, keys: [rsa, ec, dir, gcmkw], secrets, cases };
}
