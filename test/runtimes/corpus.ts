// The attack corpus of test/security/attacks.test.ts as data: every token it presents, the key
// set and options of the verifier it presents it to, and the code it expects. Tokens are forged
// in Node with the same helpers (test/helpers/forge.ts); a runtime only verifies them. Groups
// carry the titles of the corpus's top-level describe blocks, and a test holds the two in step.
import { createHash } from 'node:crypto';
import type { ErrorCode } from '../../src/index.js';
import {
  accessClaims,
  AUDIENCE,
  b64u,
  forgeSegments,
  forgeToken,
  generateKey,
  ISSUER,
  nowSeconds,
  selfSignedCertificate,
  signBytes,
  signToken,
  type ForgeKey,
  type HmacAlgorithm,
  type PublishedJwk,
} from '../helpers/forge.js';

/** What a verification ends with: acceptance, a refusal's code, or a TypeError at construction. */
export type Outcome = ErrorCode | 'accepted' | 'TypeError';

/** Verifier options a case sets besides issuer, audience and jwksUri (JSON: they cross into a runtime). */
export type CaseOptions = Readonly<Record<string, unknown>>;

export interface AttackCase {
  readonly id: number;
  /** The describe block of attacks.test.ts the case comes from. */
  readonly group: string;
  readonly name: string;
  readonly token: string;
  /** The key set the verifier's jwksUri serves. */
  readonly keys: readonly unknown[];
  readonly options: CaseOptions;
  readonly expected: Outcome;
}

export const CORPUS_ISSUER = ISSUER;
export const CORPUS_AUDIENCE = AUDIENCE;

/** Raw claims text: valid defaults with some members replaced by raw JSON (1e400, duplicates), or removed. */
function rawClaims(overrides: Record<string, string | undefined>): string {
  const members = new Map<string, string>();
  for (const [name, value] of Object.entries(accessClaims())) members.set(name, JSON.stringify(value));
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) members.delete(name);
    else members.set(name, value);
  }
  return `{${[...members].map(([name, value]) => `${JSON.stringify(name)}:${value}`).join(',')}}`;
}

/** Flips one bit of the byte at `index` of a base64url segment and re-encodes it canonically. */
function flipBit(segment: string, index: number, mask = 0x01): string {
  const bytes = Buffer.from(segment, 'base64url');
  bytes[index] = (bytes[index] as number) ^ mask;
  return bytes.toString('base64url');
}

export interface AttackCorpus {
  readonly cases: readonly AttackCase[];
  /** The attacker's public keys, for the server behind the `jku` and `x5u` URLs. */
  readonly attackerKeys: readonly unknown[];
}

/**
 * Builds the corpus. `attackerJwksUrl` is a loopback URL that should serve the attacker's key
 * set: tokens point at it through `jku` and `x5u`, and a verifier that fetched it would be fooled.
 */
export function attackCorpus(attackerJwksUrl: string): AttackCorpus {
  const rsa = generateKey('RS256', { kid: 'legit-rsa' });
  const ec = generateKey('ES256', { kid: 'legit-ec' });
  const attackerRsa = generateKey('RS256', { kid: 'attacker-rsa' });
  const attackerEc = generateKey('ES256', { kid: 'attacker-ec' });
  const legitKeys = [rsa.jwk, ec.jwk];
  const rsaHeader = { alg: 'RS256', kid: rsa.kid, typ: 'at+jwt' };
  const signed = (payload: Record<string, unknown> | string) => forgeToken({ header: rsaHeader, payload, key: rsa.privateKey });

  const cases: AttackCase[] = [];
  let group = '';
  const add = (name: string, token: string, expected: Outcome, keys: readonly unknown[] = legitKeys, options: CaseOptions = {}): void => {
    cases.push({ id: cases.length, group, name, token, keys, options, expected });
  };
  // An unusable key next to the legitimate EC key (a set with no usable key at all is a failed fetch).
  const beside = (jwk: object): unknown[] => [jwk, ec.jwk];

  group = 'unsigned tokens';
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    add(`alg "${alg}" with an empty signature`, forgeToken({ header: { alg, typ: 'at+jwt' }, payload: accessClaims() }), 'algorithm_not_allowed');
  }
  add('alg "none" naming a real kid, with a real signature', forgeToken({ header: { alg: 'none', kid: rsa.kid }, payload: accessClaims(), key: rsa.privateKey, alg: 'RS256' }), 'algorithm_not_allowed');
  const [unsignedHeader, unsignedPayload] = signToken(rsa).split('.');
  add('RS256 with an empty signature segment', `${unsignedHeader}.${unsignedPayload}.`, 'signature_invalid');

  group = 'HMAC keyed with a public key (RS256 → HS256 key confusion)';
  const secrets: [string, ForgeKey, string | Buffer][] = [
    ['the RSA public key as SPKI PEM', rsa, rsa.publicKey.export({ type: 'spki', format: 'pem' })],
    ['the RSA public key as PKCS#1 PEM', rsa, rsa.publicKey.export({ type: 'pkcs1', format: 'pem' })],
    ['the RSA public key as its published JWK', rsa, JSON.stringify(rsa.jwk)],
    ['the RSA modulus bytes', rsa, Buffer.from(rsa.jwk.n as string, 'base64url')],
    ['the EC public key as SPKI PEM', ec, ec.publicKey.export({ type: 'spki', format: 'pem' })],
    ['the EC public key as its published JWK', ec, JSON.stringify(ec.jwk)],
    ['the EC public point', ec, ec.publicKey.export({ type: 'spki', format: 'der' }).subarray(-65)],
  ];
  for (const alg of ['HS256', 'HS384', 'HS512'] as HmacAlgorithm[]) {
    for (const [what, { kid }, secret] of secrets) {
      add(`${alg} keyed with ${what}`, forgeToken({ header: { alg, kid, typ: 'at+jwt' }, payload: accessClaims(), key: secret }), 'algorithm_not_allowed');
    }
  }
  add('HS256 in the algorithms option (construction)', signToken(rsa), 'TypeError', legitKeys, { algorithms: ['HS256'] });

  group = 'algorithm and key binding';
  add('PS256 for a key published as RS256', signToken(rsa, accessClaims(), { alg: 'PS256' }), 'key_not_found');
  add('ES256 naming the kid of an RSA key', forgeToken({ header: { alg: 'ES256', kid: rsa.kid }, payload: accessClaims(), key: attackerEc.privateKey }), 'key_not_found');
  const { alg: _alg, ...unbound } = rsa.jwk;
  add('ES256 for an RSA key published without alg', forgeToken({ header: { alg: 'ES256', kid: rsa.kid }, payload: accessClaims(), key: attackerEc.privateKey }), 'key_not_found', [unbound]);
  add('RS256 for a key bound to RS512', signToken(rsa), 'key_not_found', [{ ...rsa.jwk, alg: 'RS512' }]);
  add('RS256 for the same key bound to RS256 (control)', signToken(rsa), 'accepted', [{ ...rsa.jwk, alg: 'RS256' }]);
  add('a key published with use "enc"', signToken(rsa), 'key_not_found', beside({ ...rsa.jwk, use: 'enc' }));
  const { use: _use, ...withoutUse } = rsa.jwk;
  add('a key published with key_ops ["encrypt"]', signToken(rsa), 'key_not_found', beside({ ...withoutUse, key_ops: ['encrypt'] }));
  const weak = generateKey('RS256', { kid: 'weak-rsa', modulusLength: 1024 });
  add('a 1024-bit RSA key', signToken(weak), 'key_not_found', beside(weak.jwk));
  const exponentOne: PublishedJwk = { kty: 'RSA', n: rsa.jwk.n as string, e: 'AQ', kid: 'exponent-one', alg: 'RS256', use: 'sig' };
  const [oneHeader, onePayload] = forgeSegments({ header: { alg: 'RS256', kid: 'exponent-one' }, payload: accessClaims() });
  const oneInput = `${oneHeader}.${onePayload}`;
  // EMSA-PKCS1-v1_5 (RFC 8017 §9.2) of the input, which with e = 1 is its own signature.
  const digestInfo = Buffer.from('3031300d060960864801650304020105000420', 'hex');
  const hash = createHash('sha256').update(oneInput).digest();
  const padding = Buffer.alloc(Buffer.from(exponentOne.n as string, 'base64url').length - 3 - digestInfo.length - hash.length, 0xff);
  add('a key with public exponent 1', `${oneInput}.${b64u(Buffer.concat([Buffer.from([0, 1]), padding, Buffer.from([0]), digestInfo, hash]))}`, 'key_not_found', beside(exponentOne));

  group = 'ECDSA signature encodings';
  add('an ES256 signature in DER form', forgeToken({ header: { alg: 'ES256', kid: ec.kid }, payload: accessClaims(), key: ec.privateKey, ecdsaEncoding: 'der' }), 'signature_invalid');
  for (const [alg, length] of [['ES256', 64], ['ES384', 96], ['ES512', 132]] as const) {
    const key = generateKey(alg);
    add(`an ${alg} signature with r = s = 0`, forgeToken({ header: { alg, kid: key.kid }, payload: accessClaims(), signature: new Uint8Array(length) }), 'signature_invalid', [key.jwk]);
    add(`a well-formed ${alg} token from the same key (control)`, signToken(key), 'accepted', [key.jwk]);
  }

  group = 'tampering after signing';
  const [h, p, s] = signToken(rsa, accessClaims({ sub: 'user-1' })).split('.') as [string, string, string];
  add('the untampered token (baseline)', `${h}.${p}.${s}`, 'accepted');
  for (const index of [0, 1, 127, 128, 254, 255]) add(`one bit flipped in signature byte ${index}`, `${h}.${p}.${flipBit(s, index)}`, 'signature_invalid');
  add('a header flip that keeps valid JSON', `${flipBit(h, Buffer.from(h, 'base64url').indexOf('at+jwt'))}.${p}.${s}`, 'signature_invalid');
  add('a header flip that breaks the JSON', `${flipBit(h, 0)}.${p}.${s}`, 'token_malformed');
  add('a payload flip that keeps valid JSON', `${h}.${flipBit(p, Buffer.from(p, 'base64url').indexOf('user-1'))}.${s}`, 'signature_invalid');
  add('a payload flip that breaks the JSON', `${h}.${flipBit(p, 0)}.${s}`, 'token_malformed');
  add('a payload swapped in from another token', `${h}.${signToken(rsa, accessClaims({ sub: 'admin' })).split('.')[1]}.${s}`, 'signature_invalid');

  group = 'hostile kid values';
  for (const [what, kid] of [
    ['path traversal', '../../../../etc/passwd'],
    ['an absolute file path', '/dev/null'],
    ['SQL injection', "' OR '1'='1"],
    ['a SQL comment after a real kid', `${rsa.kid}' --`],
    ['a statement', '1; DROP TABLE keys; --'],
    ['a NUL byte after a real kid', `${rsa.kid}\u0000`],
    ['a URL', 'https://attacker.example/jwks.json'],
  ]) {
    add(`a kid with ${what}`, forgeToken({ header: { alg: 'RS256', kid }, payload: accessClaims(), key: rsa.privateKey }), 'key_not_found');
  }
  const longKid = forgeToken({ header: { alg: 'RS256', kid: 'k'.repeat(10_240) }, payload: accessClaims(), key: rsa.privateKey });
  add('a 10 KB kid under the default 8 KiB limit', longKid, 'token_malformed');
  add('a 10 KB kid with maxTokenLength 32768', longKid, 'key_not_found', legitKeys, { maxTokenLength: 32_768 });

  group = 'keys carried by the token itself';
  add('an embedded jwk naming its own kid', signToken(attackerRsa, accessClaims(), { header: { jwk: attackerRsa.jwk } }), 'key_not_found');
  add('an embedded jwk next to a legitimate kid', forgeToken({ header: { ...rsaHeader, jwk: attackerRsa.jwk }, payload: accessClaims(), key: attackerRsa.privateKey }), 'signature_invalid');
  add('an embedded jwk without kid', forgeToken({ header: { alg: 'RS256', jwk: attackerRsa.jwk }, payload: accessClaims(), key: attackerRsa.privateKey }), 'signature_invalid');
  const x5c = selfSignedCertificate(attackerEc).toString('base64');
  add('x5c naming the attacker kid', signToken(attackerEc, accessClaims(), { header: { x5c: [x5c] } }), 'key_not_found');
  add('x5c naming the legitimate kid', forgeToken({ header: { alg: 'ES256', kid: ec.kid, x5c: [x5c] }, payload: accessClaims(), key: attackerEc.privateKey }), 'signature_invalid');
  for (const parameter of ['jku', 'x5u']) {
    add(`${parameter} naming the attacker kid`, signToken(attackerRsa, accessClaims(), { header: { [parameter]: attackerJwksUrl } }), 'key_not_found');
    add(`${parameter} next to the legitimate kid`, forgeToken({ header: { ...rsaHeader, [parameter]: attackerJwksUrl }, payload: accessClaims(), key: attackerRsa.privateKey }), 'signature_invalid');
  }

  group = 'critical and unencoded-payload headers';
  for (const [what, extra] of [
    ['crit naming an unknown parameter', { crit: ['exp'], exp: nowSeconds() + 60 }],
    ['crit naming an absent parameter', { crit: ['b64'] }],
    ['an empty crit', { crit: [] }],
    ['crit as a string', { crit: 'b64', b64: true }],
    ['crit naming a parameter twice', { crit: ['b64', 'b64'], b64: true }],
    ['crit naming a registered parameter', { crit: ['kid'] }],
    ['b64: false with crit', { crit: ['b64'], b64: false }],
    ['b64: false without crit', { b64: false }],
    ['b64 as a string', { b64: 'false' }],
  ] as [string, Record<string, unknown>][]) {
    add(what, signToken(rsa, accessClaims(), { header: extra }), 'token_malformed');
  }
  add('crit ["b64"] with b64: true', signToken(rsa, accessClaims(), { header: { crit: ['b64'], b64: true } }), 'accepted');

  group = 'serializations other than one compact JWS';
  const token = signToken(rsa);
  const [th, tp, ts] = token.split('.') as [string, string, string];
  add('the flattened JWS JSON serialization', JSON.stringify({ protected: th, payload: tp, signature: ts }), 'token_malformed');
  add('the general JWS JSON serialization', JSON.stringify({ payload: tp, signatures: [{ protected: th, signature: ts }] }), 'token_malformed');
  for (const [what, text] of [
    ['one segment', th],
    ['two segments', `${th}.${tp}`],
    ['four segments', `${token}.${ts}`],
    ['a trailing dot', `${token}.`],
    ['an empty string', ''],
    ['only dots', '..'],
  ] as const) {
    add(what, text, 'token_malformed');
  }
  const jweHeader = b64u(JSON.stringify({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: rsa.kid }));
  add('a compact JWE', [jweHeader, b64u(new Uint8Array(256)), b64u(new Uint8Array(12)), b64u('ciphertext'), b64u(new Uint8Array(16))].join('.'), 'token_malformed');
  add('a three-segment token declaring "enc"', signToken(rsa, accessClaims(), { header: { enc: 'A256GCM' } }), 'token_malformed');
  add('a token nested in a token', forgeToken({ header: { ...rsaHeader, cty: 'JWT' }, payload: signToken(rsa), key: rsa.privateKey }), 'token_malformed');
  for (const cty of ['JWT', 'jwt', 'application/jwt']) add(`cty "${cty}" over a JSON claims set`, signToken(rsa, accessClaims(), { header: { cty } }), 'token_malformed');

  group = 'non-canonical base64url';
  for (const index of [0, 1, 2]) {
    const segments = signToken(rsa).split('.');
    segments[index] += '=';
    add(`"=" padding on segment ${index}`, segments.join('.'), 'token_malformed');
  }
  let both = '';
  // RSA PKCS#1 v1.5 is deterministic: vary the jti until the signature holds both "-" and "_".
  for (let attempt = 0; attempt < 200 && !/-.*_|_.*-/.test(both.split('.')[2] ?? ''); attempt++) both = signToken(rsa);
  const [bh, bp, bs] = both.split('.') as [string, string, string];
  add('standard base64 in place of base64url', `${bh}.${bp}.${bs.replace(/-/g, '+').replace(/_/g, '/')}`, 'token_malformed');
  for (const [what, mangle] of [
    ['a leading space', (t: string) => ` ${t}`],
    ['a trailing newline', (t: string) => `${t}\n`],
    ['a space after a dot', (t: string) => t.replace('.', '. ')],
    ['a tab inside the signature', (t: string) => `${t.slice(0, -10)}\t${t.slice(-10)}`],
    ['CRLF before a dot', (t: string) => t.replace('.', '\r\n.')],
    ['a non-breaking space', (t: string) => t.replace('.', '\u00a0.')],
  ] as const) {
    add(`whitespace: ${what}`, mangle(signToken(rsa)), 'token_malformed');
  }
  const [lh, lp, ls] = signToken(rsa).split('.') as [string, string, string];
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  add('a signature with unused trailing bits set', `${lh}.${lp}.${ls.slice(0, -1)}${alphabet.charAt(alphabet.indexOf(ls.at(-1) as string) | 0x01)}`, 'token_malformed');

  group = 'header and payload that are not JSON objects';
  for (const text of ['[]', '["RS256"]', 'null', '42', '"RS256"', 'true', '']) {
    add(`a header of ${JSON.stringify(text)}`, forgeToken({ header: text, payload: accessClaims(), key: rsa.privateKey, alg: 'RS256' }), 'token_malformed');
    add(`a payload of ${JSON.stringify(text)}`, signed(text), 'token_malformed');
  }
  const notUtf8 = Buffer.concat([Buffer.from(JSON.stringify(accessClaims()).slice(0, -1)), Buffer.from(',"x":"\xff"}', 'latin1')]);
  const nh = b64u(JSON.stringify(rsaHeader));
  const np = b64u(notUtf8);
  add('a payload that is not UTF-8', `${nh}.${np}.${b64u(signBytes('RS256', rsa.privateKey, `${nh}.${np}`))}`, 'token_malformed');
  add('a payload starting with a byte order mark', signed(`\ufeff${JSON.stringify(accessClaims())}`), 'token_malformed');

  group = 'duplicate member names';
  add('a header naming "alg" twice', forgeToken({ header: `{"alg":"none","kid":${JSON.stringify(rsa.kid)},"alg":"RS256"}`, payload: accessClaims(), key: rsa.privateKey, alg: 'RS256' }), 'token_malformed');
  for (const [what, payload] of [
    ['"sub" twice', rawClaims({ sub: '"user-1","sub":"admin"' })],
    ['"exp" twice', rawClaims({ exp: `${nowSeconds() + 60},"exp":${nowSeconds() + 999_999}` })],
    ['a name and its escaped spelling', rawClaims({ sub: '"user-1","\\u0073ub":"admin"' })],
    ['a duplicate inside a nested claim', rawClaims({ act: '{"sub":"a","sub":"b"}' })],
  ] as const) {
    add(`a payload with ${what}`, signed(payload), 'token_malformed');
  }
  add('the same member name in two objects', signed(rawClaims({ act: '{"sub":"a"}', may_act: '{"sub":"b"}' })), 'accepted');

  group = 'time claims of the wrong type';
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    const n = claim === 'exp' ? nowSeconds() + 300 : nowSeconds() - 60;
    for (const [what, value] of [
      ['a numeric string', JSON.stringify(String(n))],
      ['an array', `[${n}]`],
      ['an object', `{"value":${n}}`],
      ['1e400', '1e400'],
      ['-1e400', '-1e400'],
      ['a negative number', '-1'],
      ['null', 'null'],
      ['a boolean', 'true'],
    ]) {
      add(`"${claim}" as ${what}`, signed(rawClaims({ [claim]: value })), 'claim_invalid');
    }
  }
  add('no "exp"', signToken(rsa, accessClaims({ exp: undefined })), 'claim_invalid');

  group = 'issuer and audience confusion';
  add('"iss" as an array holding the trusted issuer', signToken(rsa, accessClaims({ iss: [ISSUER] })), 'claim_invalid');
  add('"iss" with a trailing slash', signToken(rsa, accessClaims({ iss: `${ISSUER}/` })), 'issuer_invalid');
  for (const [what, aud, code] of [
    ['an empty array', [], 'claim_invalid'],
    ['an empty string', '', 'audience_invalid'],
    ['a number', 42, 'claim_invalid'],
    ['a nested array', [[AUDIENCE]], 'claim_invalid'],
    ['an array with a number', [AUDIENCE, 42], 'claim_invalid'],
    ['an object', { 0: AUDIENCE }, 'claim_invalid'],
  ] as [string, unknown, Outcome][]) {
    add(`"aud" as ${what}`, signToken(rsa, accessClaims({ aud })), code);
  }

  group = 'prototype pollution through claims';
  add('"__proto__" and "constructor" claims', signed(rawClaims({ ['__proto__']: '{"polluted":"yes","admin":true}', constructor: '{"prototype":{"polluted":"yes"}}' })), 'accepted');
  add('a "__proto__" header member smuggling alg and b64', forgeToken({ header: `{"alg":"RS256","kid":${JSON.stringify(rsa.kid)},"__proto__":{"alg":"none","b64":false,"polluted":"yes"}}`, payload: accessClaims(), key: rsa.privateKey, alg: 'RS256' }), 'accepted');
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    add(`requiredClaims ["${name}"] against Object.prototype`, signToken(rsa), 'claim_invalid', legitKeys, { requiredClaims: [name] });
  }
  add('requiredClaims ["constructor"] when the token carries it', signed(rawClaims({ constructor: '"present"' })), 'accepted', legitKeys, { requiredClaims: ['constructor'] });

  group = 'size';
  add('a 1 MB token', `${th}.${'A'.repeat(1024 * 1024)}.${ts}`, 'token_malformed');
  add('a 1 MB token with maxTokenLength at its largest', `${th}.${'A'.repeat(1_048_576)}.${ts}`, 'token_malformed', legitKeys, { maxTokenLength: 1_048_576 });

  return { cases, attackerKeys: [attackerRsa.jwk, attackerEc.jwk] };
}
