// The attack corpus: one test per known way of getting a forged or confusing JWT past a
// verifier (CVEs in jsonwebtoken, jwt-simple, fast-jwt, PyJWT and others), each asserting the
// exact error code tokenwarden answers with. Tokens are built by hand (test/helpers/forge.ts)
// because jose refuses to sign most of them. Keys are generated per run.
import { createHash, createPublicKey, verify, X509Certificate, type JsonWebKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenError, createVerifier, type Verifier } from '../../src/index.js';
import {
  AUDIENCE,
  ISSUER,
  JWKS_URI,
  accessClaims,
  b64u,
  forgeSegments,
  forgeToken,
  forgeVerifier,
  generateKey,
  nowSeconds,
  selfSignedCertificate,
  signBytes,
  signToken,
  startCountingServer,
  type CountingServer,
  type ForgeKey,
  type HmacAlgorithm,
} from '../helpers/forge.js';
import { expectRefusal } from '../helpers/refusal.js';

const rsa = generateKey('RS256', { kid: 'legit-rsa' });
const ec = generateKey('ES256', { kid: 'legit-ec' });
const attackerRsa = generateKey('RS256', { kid: 'attacker-rsa' });
const attackerEc = generateKey('ES256', { kid: 'attacker-ec' });

/** A fresh verifier trusting only the legitimate RSA and EC keys. */
const legit = (options: Parameters<typeof forgeVerifier>[1] = {}) => forgeVerifier([rsa.jwk, ec.jwk], options);

/**
 * A verifier whose key set holds `jwk` next to the legitimate EC key. A set in which no key at
 * all is usable counts as a failed fetch (jwks_unavailable); with one usable key beside it, an
 * unusable key is refused as such (key_not_found).
 */
const beside = (jwk: object) => forgeVerifier([jwk, ec.jwk]);

/** Raw JSON object text from raw member values, for values JSON.stringify cannot produce (1e400). */
function rawObject(members: ReadonlyMap<string, string>): string {
  return `{${[...members].map(([name, value]) => `${JSON.stringify(name)}:${value}`).join(',')}}`;
}

/** Raw claims text: valid defaults, with some members replaced by raw JSON (or removed with undefined). */
function rawClaims(overrides: Record<string, string | undefined>): string {
  // A Map, not an object: assigning a "__proto__" member to an object would set its prototype.
  const members = new Map<string, string>();
  for (const [name, value] of Object.entries(accessClaims())) members.set(name, JSON.stringify(value));
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) members.delete(name);
    else members.set(name, value);
  }
  return rawObject(members);
}

/** Flips one bit of the byte at `index` of a base64url segment and re-encodes it canonically. */
function flipBit(segment: string, index: number, mask = 0x01): string {
  const bytes = Buffer.from(segment, 'base64url');
  bytes[index] = (bytes[index] as number) ^ mask;
  return bytes.toString('base64url');
}

const rsaHeader = { alg: 'RS256', kid: rsa.kid, typ: 'at+jwt' };

describe('unsigned tokens', () => {
  it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg "%s" with an empty signature', async (alg) => {
    const { verifier, jwks } = legit();
    const token = forgeToken({ header: { alg, typ: 'at+jwt' }, payload: accessClaims() });
    expect(token.endsWith('.')).toBe(true);
    await expectRefusal(verifier, token, 'algorithm_not_allowed');
    expect(jwks.requests).toEqual([]);
  });

  it('refuses alg "none" even when it names a real kid and carries a real signature', async () => {
    const { verifier } = legit();
    const header = { alg: 'none', kid: rsa.kid };
    const token = forgeToken({ header, payload: accessClaims(), key: rsa.privateKey, alg: 'RS256' });
    await expectRefusal(verifier, token, 'algorithm_not_allowed');
  });

  it('refuses an RS256 token whose signature segment is empty', async () => {
    const { verifier } = legit();
    const [header, payload] = signToken(rsa).split('.');
    await expectRefusal(verifier, `${header}.${payload}.`, 'signature_invalid');
  });
});

describe('HMAC keyed with a public key (RS256 → HS256 key confusion)', () => {
  const hmacs: HmacAlgorithm[] = ['HS256', 'HS384', 'HS512'];
  // [what the secret is, the key whose kid the token names, the secret]
  const secrets: [string, ForgeKey, () => string | Buffer][] = [
    ['the RSA public key as SPKI PEM', rsa, () => rsa.publicKey.export({ type: 'spki', format: 'pem' })],
    ['the RSA public key as PKCS#1 PEM', rsa, () => rsa.publicKey.export({ type: 'pkcs1', format: 'pem' })],
    ['the RSA public key as its published JWK', rsa, () => JSON.stringify(rsa.jwk)],
    ['the RSA modulus bytes', rsa, () => Buffer.from(rsa.jwk.n as string, 'base64url')],
    ['the EC public key as SPKI PEM', ec, () => ec.publicKey.export({ type: 'spki', format: 'pem' })],
    ['the EC public key as its published JWK', ec, () => JSON.stringify(ec.jwk)],
    ['the EC public point', ec, () => ec.publicKey.export({ type: 'spki', format: 'der' }).subarray(-65)],
  ];
  for (const alg of hmacs) {
    it.each(secrets)(`refuses ${alg} keyed with %s`, async (_name, { kid }, secret) => {
      const { verifier, jwks } = legit();
      const token = forgeToken({ header: { alg, kid, typ: 'at+jwt' }, payload: accessClaims(), key: secret() });
      await expectRefusal(verifier, token, 'algorithm_not_allowed');
      expect(jwks.requests).toEqual([]);
    });
  }

  it('cannot be enabled: HS256 in the algorithms option throws at construction', () => {
    expect(() =>
      createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: JWKS_URI, algorithms: ['HS256' as 'RS256'] }),
    ).toThrow(TypeError);
  });
});

describe('algorithm and key binding', () => {
  it('refuses a PS256 token for a key published as RS256, even though the RSA key did sign it', async () => {
    const { verifier } = legit();
    const token = signToken(rsa, accessClaims(), { alg: 'PS256' });
    await expectRefusal(verifier, token, 'key_not_found');
  });

  it('refuses an ES256 token that names the kid of an RSA key', async () => {
    const { verifier } = legit();
    const token = forgeToken({
      header: { alg: 'ES256', kid: rsa.kid },
      payload: accessClaims(),
      key: attackerEc.privateKey,
    });
    await expectRefusal(verifier, token, 'key_not_found');
  });

  it('refuses an ES256 token for an RSA key published without alg (the key type decides)', async () => {
    const { alg: _alg, ...unbound } = rsa.jwk;
    const { verifier } = forgeVerifier([unbound]);
    const token = forgeToken({ header: { alg: 'ES256', kid: rsa.kid }, payload: accessClaims(), key: attackerEc.privateKey });
    await expectRefusal(verifier, token, 'key_not_found');
  });

  it('refuses an RS256 token signed by a key that the key set binds to RS512', async () => {
    const { verifier } = forgeVerifier([{ ...rsa.jwk, alg: 'RS512' }]);
    await expectRefusal(verifier, signToken(rsa), 'key_not_found');
    // The same key with a matching alg verifies the same token, so the binding is what refused it.
    const { verifier: bound } = forgeVerifier([{ ...rsa.jwk, alg: 'RS256' }]);
    await expect(bound.verifyAccessToken(signToken(rsa))).resolves.toMatchObject({ iss: ISSUER });
  });

  it('refuses a token whose key is published with use "enc"', async () => {
    const { verifier } = beside({ ...rsa.jwk, use: 'enc' });
    await expectRefusal(verifier, signToken(rsa), 'key_not_found');
  });

  it('refuses a token whose key is published with key_ops ["encrypt"]', async () => {
    const { use: _use, ...jwk } = rsa.jwk;
    const { verifier } = beside({ ...jwk, key_ops: ['encrypt'] });
    await expectRefusal(verifier, signToken(rsa), 'key_not_found');
  });

  it('refuses a token signed by a 1024-bit RSA key, though the signature itself is sound', async () => {
    const weak = generateKey('RS256', { kid: 'weak-rsa', modulusLength: 1024 });
    const { verifier } = beside(weak.jwk);
    const token = signToken(weak);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    expect(verify('sha256', Buffer.from(`${header}.${payload}`), weak.publicKey, Buffer.from(signature, 'base64url'))).toBe(
      true,
    );
    await expectRefusal(verifier, token, 'key_not_found');
  });

  it('refuses a key with public exponent 1, for which the padded message is its own signature', async () => {
    const jwk = { kty: 'RSA', n: rsa.jwk.n as string, e: 'AQ', kid: 'exponent-one', alg: 'RS256', use: 'sig' };
    const { verifier } = beside(jwk);
    const [header, payload] = forgeSegments({ header: { alg: 'RS256', kid: 'exponent-one' }, payload: accessClaims() });
    const input = `${header}.${payload}`;
    // EMSA-PKCS1-v1_5 (RFC 8017 §9.2): 00 01 FF.. 00 DigestInfo(SHA-256) hash, as long as the modulus.
    const digestInfo = Buffer.from('3031300d060960864801650304020105000420', 'hex');
    const hash = createHash('sha256').update(input).digest();
    const modulusBytes = Buffer.from(jwk.n, 'base64url').length;
    const padding = Buffer.alloc(modulusBytes - 3 - digestInfo.length - hash.length, 0xff);
    const forged = Buffer.concat([Buffer.from([0, 1]), padding, Buffer.from([0]), digestInfo, hash]);
    // The primitive accepts the forgery; only the key rule stands in the way.
    expect(verify('sha256', Buffer.from(input), createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }), forged)).toBe(
      true,
    );
    await expectRefusal(verifier, `${input}.${b64u(forged)}`, 'key_not_found');
  });
});

describe('ECDSA signature encodings', () => {
  it('refuses an ES256 signature in DER form, which node:crypto would verify as DER', async () => {
    const { verifier } = legit();
    const header = { alg: 'ES256', kid: ec.kid };
    const [h, p, s] = forgeSegments({ header, payload: accessClaims(), key: ec.privateKey, ecdsaEncoding: 'der' });
    const der = Buffer.from(s, 'base64url');
    expect(der[0]).toBe(0x30);
    expect(verify('sha256', Buffer.from(`${h}.${p}`), { key: ec.publicKey, dsaEncoding: 'der' }, der)).toBe(true);
    await expectRefusal(verifier, `${h}.${p}.${s}`, 'signature_invalid');
  });

  it.each([
    ['ES256', 64],
    ['ES384', 96],
    ['ES512', 132],
  ] as const)('refuses an %s signature with r = s = 0', async (alg, length) => {
    const key = generateKey(alg);
    const { verifier } = forgeVerifier([key.jwk]);
    const token = forgeToken({ header: { alg, kid: key.kid }, payload: accessClaims(), signature: new Uint8Array(length) });
    await expectRefusal(verifier, token, 'signature_invalid');
    // The well-formed token from the same key passes, so the zero signature is what failed.
    await expect(verifier.verifyAccessToken(signToken(key))).resolves.toMatchObject({ aud: AUDIENCE });
  });
});

describe('tampering after signing', () => {
  let verifier: Verifier;
  let token: string;
  let segments: [string, string, string];
  beforeAll(() => {
    verifier = legit().verifier;
    token = signToken(rsa, accessClaims({ sub: 'user-1' }));
    segments = token.split('.') as [string, string, string];
  });

  it('accepts the untampered token (the baseline every flip below departs from)', async () => {
    await expect(verifier.verifyAccessToken(token)).resolves.toMatchObject({ sub: 'user-1' });
  });

  it.each([0, 1, 127, 128, 254, 255])('refuses a token with one bit flipped in signature byte %i', async (index) => {
    const [h, p, s] = segments;
    await expectRefusal(verifier, `${h}.${p}.${flipBit(s, index)}`, 'signature_invalid');
  });

  it('refuses a header bit flip that keeps the header valid JSON ("at+jwt" → "`t+jwt")', async () => {
    const [h, p, s] = segments;
    const index = Buffer.from(h, 'base64url').indexOf('at+jwt');
    const flipped = flipBit(h, index);
    expect(JSON.parse(Buffer.from(flipped, 'base64url').toString())).toMatchObject({ alg: 'RS256', typ: '`t+jwt' });
    await expectRefusal(verifier, `${flipped}.${p}.${s}`, 'signature_invalid');
  });

  it('refuses a header bit flip that breaks the JSON ("{" → "z") as malformed', async () => {
    const [h, p, s] = segments;
    await expectRefusal(verifier, `${flipBit(h, 0)}.${p}.${s}`, 'token_malformed');
  });

  it('refuses a payload bit flip that keeps the claims valid JSON ("user-1" → "tser-1")', async () => {
    const [h, p, s] = segments;
    const index = Buffer.from(p, 'base64url').indexOf('user-1');
    const flipped = flipBit(p, index);
    expect(JSON.parse(Buffer.from(flipped, 'base64url').toString())).toMatchObject({ sub: 'tser-1' });
    await expectRefusal(verifier, `${h}.${flipped}.${s}`, 'signature_invalid');
  });

  it('refuses a payload bit flip that breaks the JSON ("{" → "z") as malformed', async () => {
    const [h, p, s] = segments;
    await expectRefusal(verifier, `${h}.${flipBit(p, 0)}.${s}`, 'token_malformed');
  });

  it('refuses a payload swapped in from another token signed by the same key', async () => {
    const [h, , s] = segments;
    const [, otherPayload] = signToken(rsa, accessClaims({ sub: 'admin' })).split('.');
    await expectRefusal(verifier, `${h}.${otherPayload}.${s}`, 'signature_invalid');
  });
});

describe('hostile kid values', () => {
  it.each([
    ['path traversal', '../../../../etc/passwd'],
    ['an absolute file path', '/dev/null'],
    ['SQL injection', "' OR '1'='1"],
    ['a SQL comment after a real kid', `${rsa.kid}' --`],
    ['a statement', '1; DROP TABLE keys; --'],
    ['a NUL byte after a real kid', `${rsa.kid}\u0000`],
    ['a URL', 'https://attacker.example/jwks.json'],
  ])('refuses a kid with %s, and fetches only the configured key set', async (_name, kid) => {
    const { verifier, jwks } = legit();
    const token = forgeToken({ header: { alg: 'RS256', kid }, payload: accessClaims(), key: rsa.privateKey });
    await expectRefusal(verifier, token, 'key_not_found');
    expect(jwks.requests.length).toBeGreaterThan(0);
    expect(new Set(jwks.requests)).toEqual(new Set([JWKS_URI]));
  });

  it('refuses a 10 KB kid as malformed under the default 8 KiB limit, without fetching keys', async () => {
    const { verifier, jwks } = legit();
    const token = forgeToken({ header: { alg: 'RS256', kid: 'k'.repeat(10_240) }, payload: accessClaims(), key: rsa.privateKey });
    expect(token.length).toBeGreaterThan(8192);
    await expectRefusal(verifier, token, 'token_malformed');
    expect(jwks.requests).toEqual([]);
  });

  it('refuses a 10 KB kid as an unknown key when maxTokenLength allows the token', async () => {
    const { verifier } = legit({ maxTokenLength: 32_768 });
    const token = forgeToken({ header: { alg: 'RS256', kid: 'k'.repeat(10_240) }, payload: accessClaims(), key: rsa.privateKey });
    await expectRefusal(verifier, token, 'key_not_found');
  });
});

describe('keys carried by the token itself', () => {
  let server: CountingServer;
  beforeAll(async () => {
    // Serves the attacker's key set: if tokenwarden ever fetched it, the forgery would verify.
    server = await startCountingServer(() => JSON.stringify({ keys: [attackerRsa.jwk, attackerEc.jwk] }));
  });
  afterAll(async () => {
    await server.close();
  });

  it('ignores an embedded jwk naming its own kid: the kid is unknown', async () => {
    const { verifier } = legit();
    const token = signToken(attackerRsa, accessClaims(), { header: { jwk: attackerRsa.jwk } });
    await expectRefusal(verifier, token, 'key_not_found');
  });

  it('ignores an embedded jwk next to a legitimate kid: the legitimate key does not verify it', async () => {
    const { verifier } = legit();
    const token = forgeToken({ header: { ...rsaHeader, jwk: attackerRsa.jwk }, payload: accessClaims(), key: attackerRsa.privateKey });
    await expectRefusal(verifier, token, 'signature_invalid');
  });

  it('ignores an embedded jwk on a token without kid: the one RS256 key of the set is used', async () => {
    const { verifier } = legit();
    const token = forgeToken({ header: { alg: 'RS256', jwk: attackerRsa.jwk }, payload: accessClaims(), key: attackerRsa.privateKey });
    await expectRefusal(verifier, token, 'signature_invalid');
  });

  describe('x5c with a self-signed certificate for the attacker key', () => {
    let x5c: string;
    beforeAll(() => {
      const der = selfSignedCertificate(attackerEc);
      const certificate = new X509Certificate(der);
      // A genuine certificate for the attacker's key, so a verifier that trusted x5c would accept.
      expect(certificate.verify(attackerEc.publicKey)).toBe(true);
      expect(certificate.publicKey.export({ format: 'jwk' })).toMatchObject({ x: attackerEc.jwk.x, y: attackerEc.jwk.y });
      x5c = der.toString('base64');
    });

    it('ignores it when the token names the attacker kid', async () => {
      const { verifier } = legit();
      await expectRefusal(verifier, signToken(attackerEc, accessClaims(), { header: { x5c: [x5c] } }), 'key_not_found');
    });

    it('ignores it when the token names the legitimate kid', async () => {
      const { verifier } = legit();
      const token = forgeToken({ header: { alg: 'ES256', kid: ec.kid, x5c: [x5c] }, payload: accessClaims(), key: attackerEc.privateKey });
      await expectRefusal(verifier, token, 'signature_invalid');
    });
  });

  it.each(['jku', 'x5u'])('never fetches a %s URL naming the attacker kid', async (parameter) => {
    const { verifier, jwks } = legit();
    const before = server.requests;
    const token = signToken(attackerRsa, accessClaims(), { header: { [parameter]: `${server.url}/jwks.json` } });
    await expectRefusal(verifier, token, 'key_not_found');
    expect(server.requests).toBe(before);
    expect(new Set(jwks.requests)).toEqual(new Set([JWKS_URI]));
  });

  it.each(['jku', 'x5u'])('never fetches a %s URL next to the legitimate kid', async (parameter) => {
    const { verifier } = legit();
    const before = server.requests;
    const token = forgeToken({
      header: { ...rsaHeader, [parameter]: `${server.url}/jwks.json` },
      payload: accessClaims(),
      key: attackerRsa.privateKey,
    });
    await expectRefusal(verifier, token, 'signature_invalid');
    expect(server.requests).toBe(before);
  });

  it('has a loopback server that does count requests (so the zero counts above mean something)', async () => {
    const before = server.requests;
    const response = await fetch(`${server.url}/jwks.json`);
    expect(await response.json()).toEqual({ keys: [attackerRsa.jwk, attackerEc.jwk] });
    expect(server.requests).toBe(before + 1);
  });
});

describe('critical and unencoded-payload headers', () => {
  it.each<[string, Record<string, unknown>]>([
    ['crit naming an unknown parameter', { crit: ['exp'], exp: nowSeconds() + 60 }],
    ['crit naming an absent parameter', { crit: ['b64'] }],
    ['an empty crit', { crit: [] }],
    ['crit as a string', { crit: 'b64', b64: true }],
    ['crit naming a parameter twice', { crit: ['b64', 'b64'], b64: true }],
    ['crit naming a registered parameter', { crit: ['kid'] }],
  ])('refuses %s', async (_name, extra) => {
    const { verifier } = legit();
    await expectRefusal(verifier, signToken(rsa, accessClaims(), { header: extra }), 'token_malformed');
  });

  it('accepts crit ["b64"] with b64: true, the one critical parameter it understands', async () => {
    const { verifier } = legit();
    const token = signToken(rsa, accessClaims(), { header: { crit: ['b64'], b64: true } });
    await expect(verifier.verifyAccessToken(token)).resolves.toMatchObject({ iss: ISSUER });
  });

  it.each<[string, Record<string, unknown>]>([
    ['with crit', { crit: ['b64'], b64: false }],
    ['without crit', { b64: false }],
    ['as a string', { b64: 'false' }],
  ])('refuses an unencoded payload (b64: false) %s', async (_name, extra) => {
    const { verifier } = legit();
    await expectRefusal(verifier, signToken(rsa, accessClaims(), { header: extra }), 'token_malformed');
  });
});

describe('serializations other than one compact JWS', () => {
  let verifier: Verifier;
  let token: string;
  let h: string;
  let p: string;
  let s: string;
  beforeAll(() => {
    verifier = legit().verifier;
    token = signToken(rsa);
    [h, p, s] = token.split('.') as [string, string, string];
  });

  it('refuses the flattened JWS JSON serialization', async () => {
    await expectRefusal(verifier, JSON.stringify({ protected: h, payload: p, signature: s }), 'token_malformed');
  });

  it('refuses the general JWS JSON serialization', async () => {
    await expectRefusal(verifier, JSON.stringify({ payload: p, signatures: [{ protected: h, signature: s }] }), 'token_malformed');
  });

  it.each([
    ['one segment', () => h],
    ['two segments', () => `${h}.${p}`],
    ['four segments', () => `${token}.${s}`],
    ['a trailing dot', () => `${token}.`],
    ['an empty string', () => ''],
    ['only dots', () => '..'],
  ])('refuses %s', async (_name, build) => {
    await expectRefusal(verifier, build(), 'token_malformed');
  });

  it('refuses a compact JWE (five segments) with a clear message', async () => {
    const jweHeader = b64u(JSON.stringify({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: rsa.kid }));
    const jwe = [jweHeader, b64u(new Uint8Array(256)), b64u(new Uint8Array(12)), b64u('ciphertext'), b64u(new Uint8Array(16))].join('.');
    const error = await expectRefusal(verifier, jwe, 'token_malformed');
    expect(error.message).toMatch(/encrypted tokens \(JWE\) are not accepted/);
  });

  it('refuses a three-segment token whose header declares "enc" as encrypted', async () => {
    const error = await expectRefusal(verifier, signToken(rsa, accessClaims(), { header: { enc: 'A256GCM' } }), 'token_malformed');
    expect(error.message).toMatch(/encrypted/);
  });

  it('refuses a token nested in a token (cty "JWT")', async () => {
    const inner = signToken(rsa);
    const outer = forgeToken({ header: { ...rsaHeader, cty: 'JWT' }, payload: inner, key: rsa.privateKey });
    await expectRefusal(verifier, outer, 'token_malformed');
  });

  it.each(['JWT', 'jwt', 'application/jwt'])('refuses cty "%s" even over a JSON claims set', async (cty) => {
    const error = await expectRefusal(verifier, signToken(rsa, accessClaims(), { header: { cty } }), 'token_malformed');
    expect(error.message).toMatch(/nested/);
  });
});

describe('non-canonical base64url', () => {
  let verifier: Verifier;
  beforeAll(() => {
    verifier = legit().verifier;
  });

  it.each([0, 1, 2])('refuses "=" padding on segment %i', async (index) => {
    const segments = signToken(rsa).split('.');
    segments[index] += '=';
    await expectRefusal(verifier, segments.join('.'), 'token_malformed');
  });

  it('refuses standard base64 ("+" and "/") in place of "-" and "_"', async () => {
    let token = '';
    // RSA PKCS#1 v1.5 is deterministic: vary the jti until the signature holds both characters.
    for (let attempt = 0; attempt < 200 && !/-.*_|_.*-/.test(token.split('.')[2] ?? ''); attempt++) {
      token = signToken(rsa);
    }
    const [h, p, s] = token.split('.') as [string, string, string];
    expect(s).toMatch(/-/);
    expect(s).toMatch(/_/);
    const standard = s.replace(/-/g, '+').replace(/_/g, '/');
    expect(Buffer.from(standard, 'base64').equals(Buffer.from(s, 'base64url'))).toBe(true);
    await expectRefusal(verifier, `${h}.${p}.${standard}`, 'token_malformed');
  });

  it.each([
    ['a leading space', (t: string) => ` ${t}`],
    ['a trailing newline', (t: string) => `${t}\n`],
    ['a space after a dot', (t: string) => t.replace('.', '. ')],
    ['a tab inside the signature', (t: string) => `${t.slice(0, -10)}\t${t.slice(-10)}`],
    ['CRLF before a dot', (t: string) => t.replace('.', '\r\n.')],
    ['a non-breaking space', (t: string) => t.replace('.', '\u00a0.')],
  ])('refuses whitespace: %s', async (_name, mangle) => {
    await expectRefusal(verifier, mangle(signToken(rsa)), 'token_malformed');
  });

  it('refuses a signature whose unused trailing bits are set (same bytes to a lenient decoder)', async () => {
    const [h, p, s] = signToken(rsa).split('.') as [string, string, string];
    // 256 bytes encode to 342 characters; the last one carries 4 unused bits.
    expect(s.length % 4).toBe(2);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(s.at(-1) as string);
    const loose = s.slice(0, -1) + alphabet.charAt(last | 0x01);
    expect(loose).not.toBe(s);
    expect(Buffer.from(loose, 'base64url').equals(Buffer.from(s, 'base64url'))).toBe(true);
    await expectRefusal(verifier, `${h}.${p}.${loose}`, 'token_malformed');
  });
});

describe('header and payload that are not JSON objects', () => {
  const nonObjects = ['[]', '["RS256"]', 'null', '42', '"RS256"', 'true', ''];

  it.each(nonObjects)('refuses a signed token whose header is %j', async (header) => {
    const { verifier } = legit();
    const token = forgeToken({ header, payload: accessClaims(), key: rsa.privateKey, alg: 'RS256' });
    await expectRefusal(verifier, token, 'token_malformed');
  });

  it.each(nonObjects)('refuses a signed token whose payload is %j', async (payload) => {
    const { verifier } = legit();
    await expectRefusal(verifier, forgeToken({ header: rsaHeader, payload, key: rsa.privateKey }), 'token_malformed');
  });

  it('refuses a payload that is not valid UTF-8', async () => {
    const { verifier } = legit();
    const text = Buffer.concat([Buffer.from(JSON.stringify(accessClaims()).slice(0, -1)), Buffer.from(',"x":"\xff"}', 'latin1')]);
    const h = b64u(JSON.stringify(rsaHeader));
    const p = b64u(text);
    const token = `${h}.${p}.${b64u(signBytes('RS256', rsa.privateKey, `${h}.${p}`))}`;
    await expectRefusal(verifier, token, 'token_malformed');
  });

  it('refuses a payload that starts with a byte order mark', async () => {
    const { verifier } = legit();
    const token = forgeToken({ header: rsaHeader, payload: `\ufeff${JSON.stringify(accessClaims())}`, key: rsa.privateKey });
    await expectRefusal(verifier, token, 'token_malformed');
  });
});

describe('duplicate member names', () => {
  it('refuses a header naming "alg" twice', async () => {
    const { verifier } = legit();
    const header = `{"alg":"none","kid":${JSON.stringify(rsa.kid)},"alg":"RS256"}`;
    await expectRefusal(verifier, forgeToken({ header, payload: accessClaims(), key: rsa.privateKey, alg: 'RS256' }), 'token_malformed');
  });

  it.each([
    ['"sub" twice', rawClaims({ sub: '"user-1","sub":"admin"' })],
    ['"exp" twice', rawClaims({ exp: `${nowSeconds() + 60},"exp":${nowSeconds() + 999_999}` })],
    ['a name and its escaped spelling', rawClaims({ sub: '"user-1","\\u0073ub":"admin"' })],
    ['a duplicate inside a nested claim', rawClaims({ act: '{"sub":"a","sub":"b"}' })],
  ])('refuses a payload with %s', async (_name, payload) => {
    const { verifier } = legit();
    await expectRefusal(verifier, forgeToken({ header: rsaHeader, payload, key: rsa.privateKey }), 'token_malformed');
  });

  it('accepts the same member name in two different objects', async () => {
    const { verifier } = legit();
    const payload = rawClaims({ act: '{"sub":"a"}', may_act: '{"sub":"b"}' });
    await expect(verifier.verifyAccessToken(forgeToken({ header: rsaHeader, payload, key: rsa.privateKey }))).resolves.toMatchObject({
      act: { sub: 'a' },
      may_act: { sub: 'b' },
    });
  });
});

describe('time claims of the wrong type', () => {
  const future = (): number => nowSeconds() + 300;
  const past = (): number => nowSeconds() - 60;
  const badValues: [string, (n: number) => string][] = [
    ['a numeric string', (n) => JSON.stringify(String(n))],
    ['an array', (n) => `[${n}]`],
    ['an object', (n) => `{"value":${n}}`],
    ['1e400 (Infinity once parsed)', () => '1e400'],
    ['-1e400 (-Infinity once parsed)', () => '-1e400'],
    ['a negative number', () => '-1'],
    ['null', () => 'null'],
    ['a boolean', () => 'true'],
  ];
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    it.each(badValues)(`refuses "${claim}" as %s`, async (_name, value) => {
      const { verifier } = legit();
      const payload = rawClaims({ [claim]: value(claim === 'exp' ? future() : past()) });
      await expectRefusal(verifier, forgeToken({ header: rsaHeader, payload, key: rsa.privateKey }), 'claim_invalid');
    });
  }

  it('refuses a token without "exp"', async () => {
    const { verifier } = legit();
    await expectRefusal(verifier, signToken(rsa, accessClaims({ exp: undefined })), 'claim_invalid');
  });
});

describe('issuer and audience confusion', () => {
  it('refuses "iss" as an array holding the trusted issuer', async () => {
    const { verifier, jwks } = legit();
    await expectRefusal(verifier, signToken(rsa, accessClaims({ iss: [ISSUER] })), 'claim_invalid');
    expect(jwks.requests).toEqual([]);
  });

  it('refuses "iss" with a trailing slash: issuers compare exactly', async () => {
    const { verifier, jwks } = legit();
    await expectRefusal(verifier, signToken(rsa, accessClaims({ iss: `${ISSUER}/` })), 'issuer_invalid');
    expect(jwks.requests).toEqual([]);
  });

  it.each<[string, unknown, AccessTokenError['code']]>([
    ['an empty array', [], 'claim_invalid'],
    ['an empty string', '', 'audience_invalid'],
    ['a number', 42, 'claim_invalid'],
    ['a nested array', [[AUDIENCE]], 'claim_invalid'],
    ['an array with a number', [AUDIENCE, 42], 'claim_invalid'],
    ['an object', { 0: AUDIENCE }, 'claim_invalid'],
  ])('refuses "aud" as %s', async (_name, aud, code) => {
    const { verifier } = legit();
    await expectRefusal(verifier, signToken(rsa, accessClaims({ aud })), code);
  });
});

describe('prototype pollution through claims', () => {
  afterAll(() => {
    // Belt and braces: leave nothing behind for other test files, whatever happened above.
    delete (Object.prototype as Record<string, unknown>).polluted;
  });

  it('returns "__proto__" and "constructor" claims as plain data, polluting nothing', async () => {
    const { verifier } = legit();
    // A computed key: a literal `__proto__:` would set the prototype instead of naming a claim.
    const payload = rawClaims({
      ['__proto__']: '{"polluted":"yes","admin":true}',
      constructor: '{"prototype":{"polluted":"yes"}}',
    });
    expect(payload).toContain('"__proto__":{"polluted"');
    const claims = await verifier.verifyAccessToken(forgeToken({ header: rsaHeader, payload, key: rsa.privateKey }));
    expect(Object.hasOwn(claims, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(claims)).toBe(Object.prototype);
    expect((claims as Record<string, unknown>).polluted).toBeUndefined();
    expect((claims as Record<string, unknown>).admin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    const spread = { ...claims } as Record<string, unknown>;
    expect(spread.polluted).toBeUndefined();
  });

  it('ignores a "__proto__" header member that tries to smuggle alg or b64', async () => {
    const { verifier } = legit();
    const header = `{"alg":"RS256","kid":${JSON.stringify(rsa.kid)},"__proto__":{"alg":"none","b64":false,"polluted":"yes"}}`;
    const token = forgeToken({ header, payload: accessClaims(), key: rsa.privateKey, alg: 'RS256' });
    await expect(verifier.verifyAccessToken(token)).resolves.toMatchObject({ iss: ISSUER });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'does not let Object.prototype satisfy requiredClaims ["%s"]',
    async (name) => {
      const { verifier } = legit({ requiredClaims: [name] });
      await expectRefusal(verifier, signToken(rsa), 'claim_invalid');
    },
  );

  it('accepts requiredClaims ["constructor"] when the token really carries it', async () => {
    const { verifier } = legit({ requiredClaims: ['constructor'] });
    const payload = rawClaims({ constructor: '"present"' });
    await expect(verifier.verifyAccessToken(forgeToken({ header: rsaHeader, payload, key: rsa.privateKey }))).resolves.toMatchObject({
      constructor: 'present',
    });
  });
});

describe('size', () => {
  it('refuses a 1 MB token as malformed without fetching keys', async () => {
    const { verifier, jwks } = legit();
    const [h, , s] = signToken(rsa).split('.') as [string, string, string];
    const token = `${h}.${'A'.repeat(1024 * 1024)}.${s}`;
    await expectRefusal(verifier, token, 'token_malformed');
    expect(jwks.requests).toEqual([]);
  });

  it('refuses a 1 MB token even with maxTokenLength at its largest (1 MiB)', async () => {
    const { verifier } = legit({ maxTokenLength: 1_048_576 });
    const [h, , s] = signToken(rsa).split('.') as [string, string, string];
    const token = `${h}.${'A'.repeat(1_048_576)}.${s}`;
    await expectRefusal(verifier, token, 'token_malformed');
  });
});
