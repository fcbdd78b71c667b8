import { createHash, randomUUID, sign, type JsonWebKey, type KeyObject, type SignKeyObjectInput } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ALGORITHM_SPECS, type Algorithm } from '../token/algorithms.js';
import { certificateDer, type ClientCertificate } from '../mtls/certificate.js';
import type { DpopKey } from './dpop.js';
import { newKeyPair, signerFor } from './keys.js';
import { encryptToken, type TestEncryption } from './encrypt.js';

export { createDpopKey, jwkThumbprint } from './dpop.js';
export type { DpopKey, DpopKeyOptions, DpopProofOptions } from './dpop.js';
export type { TestEncryption } from './encrypt.js';

export interface TestIssuerOptions {
  /**
   * Signing algorithm of the issuer's key; `sign` may pick another per token, which adds a key.
   * @default 'RS256'
   */
  algorithm?: Algorithm;
  /** Default `aud` of signed tokens. @default 'test-api' */
  audience?: string | string[];
  /** Path part of the issuer URL, e.g. `/realms/demo`. @default '' */
  path?: string;
  /** Port to listen on (127.0.0.1). @default 0, a free port */
  port?: number;
  /** `Cache-Control` header of the JWKS response. @default unset */
  cacheControl?: string;
  /** Serve discovery metadata at `/.well-known/openid-configuration`. @default true */
  discovery?: boolean;
}

export interface SignOptions {
  /** Algorithm for this token; a key for it is created on first use. @default the issuer's */
  alg?: Algorithm;
  /** Seconds from now until `exp`. @default 300 */
  expiresIn?: number;
  /** Extra or replacement protected-header parameters (`typ`, `kid`, even bad ones). */
  header?: Record<string, unknown>;
  /** Binds the token to this DPoP key: `cnf.jkt` is its thumbprint (RFC 9449 §6.1). @default unset */
  dpop?: DpopKey;
  /**
   * Binds the token to this client certificate (DER, PEM or `X509Certificate`): `cnf["x5t#S256"]`
   * is its SHA-256 thumbprint (RFC 8705 §3.1).
   * @default unset
   */
  certificate?: ClientCertificate;
  /**
   * Encrypts the signed token to a resource server's public RSA key (compact JWE, `cty`
   * `at+jwt`), for a verifier with `decryption`; see docs/jwe.md.
   * @default unset (a signed token)
   */
  encrypt?: TestEncryption;
}

export interface RotateOptions {
  /** Keep the replaced key in the key set, as an issuer does while its tokens are still live. @default false */
  keepOld?: boolean;
}

/** A local OAuth issuer for tests and demos: serves a JWKS and metadata, signs tokens. */
export interface TestIssuer {
  /** The issuer identifier (`iss`), e.g. `http://127.0.0.1:40123`. */
  readonly issuer: string;
  /** Where the key set is served. */
  readonly jwksUri: string;
  /** Requests served so far, by kind, for asserting fetch counts. */
  readonly requests: { readonly jwks: number; readonly metadata: number };
  /**
   * Signs a token. Defaults: `iss`, `aud`, `sub` ('user-1'), `iat` now, `exp` in 5 minutes,
   * a random `jti`; `claims` overrides them (set one to `undefined` to leave it out).
   */
  sign(claims?: Record<string, unknown>, options?: SignOptions): Promise<string>;
  /**
   * Replaces the signing key of the issuer's algorithm with a new one (new kid): tokens signed
   * from then on carry it, and the key set serves it at once.
   *
   * The issuer keeps the next key ready: it is generated when the issuer starts and, after each
   * rotation, the one after it is generated in the background. So `rotate()` takes no time, and
   * a test that plays a rotation against a cooldown does not depend on how fast the machine
   * generates a key (an RSA key can take seconds on a loaded one). Only a second rotation in
   * quick succession waits, for the key still being generated; a failure to generate it
   * rejects that rotation.
   */
  rotate(options?: RotateOptions): Promise<void>;
  /** The currently published key set. */
  jwks(): { keys: TestJwk[] };
  /** Serves this instead of the real key set (status and raw body), until called with `undefined`. */
  override(response: { status: number; body: string; headers?: Record<string, string> } | undefined): void;
  /** Stops the server. */
  close(): Promise<void>;
}

/** A public key as the test issuer publishes it in its key set. */
export type TestJwk = JsonWebKey & { readonly kid: string; readonly alg: Algorithm; readonly use: 'sig' };

interface SigningKey {
  readonly kid: string;
  readonly alg: Algorithm;
  /** The private key, with what node:crypto needs to sign for `alg` (padding, encoding). */
  readonly signer: KeyObject | SignKeyObjectInput;
  readonly jwk: TestJwk;
}

async function createSigningKey(alg: Algorithm): Promise<SigningKey> {
  const { privateKey, publicKey } = await newKeyPair(alg);
  const kid = randomUUID();
  const jwk: TestJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return { kid, alg, signer: signerFor(alg, privateKey), jwk };
}

const base64url = (text: string): string => Buffer.from(text).toString('base64url');

/** The `cnf` claim of a token signed with `options`, if it is to be bound. */
function boundTo(options: SignOptions): { cnf?: Record<string, string> } {
  const cnf: Record<string, string> = {};
  if (options.dpop !== undefined) cnf.jkt = options.dpop.jkt;
  if (options.certificate !== undefined) {
    const der = certificateDer(options.certificate);
    if (der === undefined) throw new TypeError('tokenwarden: option "certificate" must be DER bytes, PEM text or an X509Certificate');
    cnf['x5t#S256'] = createHash('sha256').update(der).digest('base64url');
  }
  return Object.keys(cnf).length === 0 ? {} : { cnf };
}

/**
 * Starts a local issuer on 127.0.0.1 for tests and demos. It serves its JWKS at `/jwks.json`
 * and OpenID metadata, signs tokens with keys made for this run, and can rotate them. It
 * generates two keys as it starts, the one it signs with and the one {@link TestIssuer.rotate}
 * will publish, so that a rotation takes no time.
 *
 * @example
 * ```ts
 * import { createTestIssuer } from 'tokenwarden/testing';
 *
 * const issuer = await createTestIssuer({ audience: 'orders-api' });
 * const verifier = createVerifier({ issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri });
 * const token = await issuer.sign({ sub: 'alice', scope: 'orders:read' });
 * await verifier.verifyAccessToken(token);
 * await issuer.close();
 * ```
 */
export async function createTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const defaultAlg = options.algorithm ?? 'RS256';
  const audience = options.audience ?? 'test-api';
  const path = (options.path ?? '').replace(/\/+$/, '');
  const [first, second] = await Promise.all([createSigningKey(defaultAlg), createSigningKey(defaultAlg)]);
  let published: SigningKey[] = [first];
  let prepared = Promise.resolve(second);
  let override: { status: number; body: string; headers?: Record<string, string> } | undefined;
  const requests = { jwks: 0, metadata: 0 };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === `${path}/jwks.json`) {
      requests.jwks++;
      if (override) {
        res.writeHead(override.status, { 'content-type': 'application/json', ...override.headers });
        res.end(override.body);
        return;
      }
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (options.cacheControl) headers['cache-control'] = options.cacheControl;
      res.writeHead(200, headers);
      res.end(JSON.stringify({ keys: published.map((key) => key.jwk) }));
      return;
    }
    if (options.discovery !== false && url.pathname === `${path}/.well-known/openid-configuration`) {
      requests.metadata++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer, jwks_uri: jwksUri, id_token_signing_alg_values_supported: [defaultAlg] }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not_found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}${path}`;
  const jwksUri = `${issuer}/jwks.json`;

  async function keyFor(alg: Algorithm): Promise<SigningKey> {
    const current = published.find((key) => key.alg === alg);
    if (current) return current;
    const created = await createSigningKey(alg);
    published = [created, ...published];
    return created;
  }

  return {
    issuer,
    jwksUri,
    requests,
    async sign(claims = {}, signOptions = {}) {
      const key = await keyFor(signOptions.alg ?? defaultAlg);
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = {
        iss: issuer,
        aud: audience,
        sub: 'user-1',
        iat: now,
        exp: now + (signOptions.expiresIn ?? 300),
        jti: randomUUID(),
        ...boundTo(signOptions),
        ...claims,
      };
      for (const name of Object.keys(payload)) if (payload[name] === undefined) delete payload[name];
      const header: Record<string, unknown> = { alg: key.alg, kid: key.kid, typ: 'at+jwt', ...signOptions.header };
      const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
      // Signed as the key's algorithm whatever `header.alg` claims: tests forge headers on purpose.
      const signature = sign(ALGORITHM_SPECS[key.alg].hash ?? null, Buffer.from(signingInput), key.signer);
      const token = `${signingInput}.${signature.toString('base64url')}`;
      return signOptions.encrypt === undefined ? token : encryptToken(token, signOptions.encrypt);
    },
    async rotate(rotateOptions = {}) {
      // Take the ready key and start on the one after it before awaiting, so that two
      // rotations in a row publish two different keys.
      const ready = prepared;
      prepared = createSigningKey(defaultAlg);
      // Nobody may ever rotate again: a failure belongs to the rotation that needs this key,
      // not to an unhandled rejection now.
      prepared.catch(() => undefined);
      const next = await ready;
      published = rotateOptions.keepOld ? [next, ...published] : [next, ...published.filter((key) => key.alg !== defaultAlg)];
    },
    jwks: () => ({ keys: published.map((key) => key.jwk) }),
    override(response) {
      override = response;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
