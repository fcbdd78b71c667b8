// Hand-made tokens and keys for the attack corpus, the vectors and the fuzzers. jose refuses to
// sign most of what an attacker sends (alg none, HMAC keyed with a public key, DER ECDSA, broken
// headers), so tokens here are built byte by byte with node:crypto. Keys are generated per run.
import {
  constants,
  createHmac,
  generateKeyPairSync,
  randomUUID,
  sign,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifier, type FetchLike, type Verifier, type VerifierOptions } from '../../src/index.js';
import { ALGORITHM_SPECS, type Algorithm } from '../../src/token/algorithms.js';

export const ISSUER = 'https://issuer.forge.test';
export const AUDIENCE = 'forge-api';
export const JWKS_URI = `${ISSUER}/.well-known/jwks.json`;

export type HmacAlgorithm = 'HS256' | 'HS384' | 'HS512';
export type SigningAlgorithm = Algorithm | HmacAlgorithm;

/** A public JWK as an issuer publishes it. */
export type PublishedJwk = JsonWebKey & { kid?: string; alg?: string; use?: string; key_ops?: string[] };

export interface ForgeKey {
  /** The algorithm the key is published for. */
  readonly alg: Algorithm;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public JWK with `kid`, `alg` and `use: sig`. */
  readonly jwk: PublishedJwk;
}

const CURVES: Partial<Record<Algorithm, string>> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

/** A fresh key pair for `alg` (RSA keys are 2048 bits unless `modulusLength` says otherwise). */
export function generateKey(alg: Algorithm, options: { kid?: string; modulusLength?: number } = {}): ForgeKey {
  const kid = options.kid ?? `${alg.toLowerCase()}-${randomUUID()}`;
  const { family } = ALGORITHM_SPECS[alg];
  const pair =
    family === 'EC'
      ? generateKeyPairSync('ec', { namedCurve: CURVES[alg] as string })
      : family === 'OKP'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 2048 });
  const jwk: PublishedJwk = { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return { alg, kid, privateKey: pair.privateKey, publicKey: pair.publicKey, jwk };
}

const HMAC_HASH: Record<HmacAlgorithm, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

export function isHmac(alg: string): alg is HmacAlgorithm {
  return Object.hasOwn(HMAC_HASH, alg);
}

/**
 * Signs `data` the way a JWS signer would. `key` is a private KeyObject, or the secret for HMAC
 * (any bytes: a PEM, a JWK's JSON, whatever the attacker hopes the verifier will use).
 */
export function signBytes(
  alg: SigningAlgorithm,
  key: KeyObject | Uint8Array | string,
  data: string | Uint8Array,
  options: { ecdsaEncoding?: 'der' | 'ieee-p1363' } = {},
): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  if (isHmac(alg)) {
    return createHmac(HMAC_HASH[alg], key as Uint8Array | string).update(bytes).digest();
  }
  const privateKey = key as KeyObject;
  const spec = ALGORITHM_SPECS[alg];
  switch (spec.family) {
    case 'RSA':
      return sign(spec.hash as string, bytes, privateKey);
    case 'RSA-PSS':
      return sign(spec.hash as string, bytes, {
        key: privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      });
    case 'EC':
      return sign(spec.hash as string, bytes, { key: privateKey, dsaEncoding: options.ecdsaEncoding ?? 'ieee-p1363' });
    case 'OKP':
      return sign(null, bytes, privateKey);
  }
}

/** base64url without padding, of UTF-8 text or of bytes. */
export function b64u(data: string | Uint8Array): string {
  return (typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data)).toString('base64url');
}

export interface ForgeOptions {
  /** The protected header: an object, or raw JSON text (duplicates, odd spacing, non-objects). */
  readonly header: Record<string, unknown> | string;
  /** The payload: an object, or raw text. */
  readonly payload: Record<string, unknown> | string;
  /** Private key or HMAC secret; without it (and without `signature`) the signature is empty. */
  readonly key?: KeyObject | Uint8Array | string;
  /** Algorithm to sign with; defaults to the header's `alg`. */
  readonly alg?: SigningAlgorithm;
  readonly ecdsaEncoding?: 'der' | 'ieee-p1363';
  /** Use these bytes as the signature instead of signing. */
  readonly signature?: Uint8Array;
}

/** The three segments of a compact JWS, built by hand. */
export function forgeSegments(options: ForgeOptions): [string, string, string] {
  const header = b64u(typeof options.header === 'string' ? options.header : JSON.stringify(options.header));
  const payload = b64u(typeof options.payload === 'string' ? options.payload : JSON.stringify(options.payload));
  const input = `${header}.${payload}`;
  let signature = options.signature;
  if (signature === undefined && options.key !== undefined) {
    const alg =
      options.alg ??
      (typeof options.header === 'string'
        ? (JSON.parse(options.header) as { alg: SigningAlgorithm }).alg
        : (options.header.alg as SigningAlgorithm));
    signature = signBytes(
      alg,
      options.key,
      input,
      options.ecdsaEncoding === undefined ? {} : { ecdsaEncoding: options.ecdsaEncoding },
    );
  }
  return [header, payload, b64u(signature ?? new Uint8Array(0))];
}

export function forgeToken(options: ForgeOptions): string {
  return forgeSegments(options).join('.');
}

/** Seconds since the epoch, now. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Claims of an access token this verifier accepts; `undefined` values are left out. */
export function accessClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  const claims: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
    ...overrides,
  };
  for (const name of Object.keys(claims)) if (claims[name] === undefined) delete claims[name];
  return claims;
}

/** A token signed properly by `key`, with `{ alg, kid, typ: 'at+jwt' }` plus `header`. */
export function signToken(
  key: ForgeKey,
  payload: Record<string, unknown> | string = accessClaims(),
  options: { header?: Record<string, unknown>; alg?: Algorithm } = {},
): string {
  const alg = options.alg ?? key.alg;
  return forgeToken({
    header: { alg, kid: key.kid, typ: 'at+jwt', ...options.header },
    payload,
    key: key.privateKey,
    alg,
  });
}

/** A `fetch` that serves a key set and records every URL asked for. No network involved. */
export interface JwksStub {
  readonly fetch: FetchLike;
  readonly requests: string[];
}

export function jwksStub(keys: () => readonly unknown[]): JwksStub {
  const requests: string[] = [];
  const fetch: FetchLike = async (input) => {
    requests.push(input);
    return new Response(JSON.stringify({ keys: keys() }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch, requests };
}

/**
 * A verifier for {@link ISSUER} and {@link AUDIENCE} whose key set is `keys`, served through the
 * `jwks.fetch` option. `options` override the defaults.
 */
export function forgeVerifier(
  keys: readonly unknown[] | (() => readonly unknown[]),
  options: Partial<VerifierOptions> = {},
): { verifier: Verifier; jwks: JwksStub } {
  const jwks = jwksStub(typeof keys === 'function' ? keys : () => keys);
  const verifier = createVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: JWKS_URI,
    ...options,
    jwks: { fetch: jwks.fetch, ...options.jwks },
  });
  return { verifier, jwks };
}

/** An HTTP server on 127.0.0.1 that answers every request with `body` and counts them. */
export interface CountingServer {
  readonly url: string;
  readonly requests: number;
  close(): Promise<void>;
}

export async function startCountingServer(body: () => string): Promise<CountingServer> {
  let requests = 0;
  const server: Server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

// --- A minimal DER writer, enough for one self-signed X.509 certificate (for `x5c`). ---

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, ...content: Uint8Array[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
};

function derOid(oid: string): Buffer {
  const [first, second, ...rest] = oid.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk: number[] = [arc & 0x7f];
    for (let value = arc >>> 7; value > 0; value >>>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

const utcTime = (date: Date): Buffer =>
  tlv(0x17, Buffer.from(date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z', 'latin1'));

/**
 * A self-signed X.509 certificate (DER) for an EC P-256 key, signed with ecdsa-with-SHA256:
 * what an attacker puts in `x5c` hoping the verifier trusts the key inside it.
 */
export function selfSignedCertificate(key: ForgeKey, commonName = 'attacker'): Buffer {
  const ecdsaWithSha256 = tlv(0x30, derOid('1.2.840.10045.4.3.2'));
  const name = tlv(0x30, tlv(0x31, tlv(0x30, derOid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
  const now = Date.now();
  const tbs = tlv(
    0x30,
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, Buffer.from([0x01, 0x23, 0x45, 0x67])),
    ecdsaWithSha256,
    name,
    tlv(0x30, utcTime(new Date(now - 86_400_000)), utcTime(new Date(now + 86_400_000))),
    name,
    key.publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, { key: key.privateKey, dsaEncoding: 'der' });
  return tlv(0x30, tbs, ecdsaWithSha256, tlv(0x03, Buffer.from([0]), signature));
}
