// Keys, tokens and a loopback JWKS server for the benchmarks. Tokens are signed with
// node:crypto directly so that making thousands of them takes seconds, not minutes.
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type BenchAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

export interface BenchKeys {
  readonly alg: BenchAlgorithm;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicPem: string;
  readonly jwk: Record<string, unknown>;
}

export const ISSUER = 'https://issuer.bench.test';
export const AUDIENCE = 'bench-api';

/** A fresh key pair for `alg`, or the pair of `privateKey` when a run must reuse one. */
export function createKeys(alg: BenchAlgorithm, privateKey?: KeyObject): BenchKeys {
  const pair =
    privateKey !== undefined
      ? { privateKey, publicKey: createPublicKey(privateKey) }
      : alg === 'RS256'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : alg === 'ES256'
          ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
          : generateKeyPairSync('ed25519');
  const kid = `${alg.toLowerCase()}-bench`;
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return {
    alg,
    kid,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    publicPem: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    jwk,
  };
}

const segment = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * `count` distinct valid access tokens (distinct `jti` and `sub`), valid for an hour, with
 * `extra` claims added to each (`cnf` for a bound token, say).
 */
export function createTokens(keys: BenchKeys, count: number, offset = 0, issuer = ISSUER, extra: Record<string, unknown> = {}): string[] {
  const now = Math.floor(Date.now() / 1000);
  const header = segment({ alg: keys.alg, kid: keys.kid, typ: 'at+jwt' });
  const tokens: string[] = [];
  for (let i = offset; i < offset + count; i++) {
    const input = `${header}.${segment({
      iss: issuer,
      aud: AUDIENCE,
      sub: `user-${i}`,
      client_id: 'bench-client',
      scope: 'orders:read orders:write',
      iat: now,
      exp: now + 3600,
      jti: `jti-${i}`,
      ...extra,
    })}`;
    const signature =
      keys.alg === 'RS256'
        ? sign('sha256', Buffer.from(input), keys.privateKey)
        : keys.alg === 'ES256'
          ? sign('sha256', Buffer.from(input), { key: keys.privateKey, dsaEncoding: 'ieee-p1363' })
          : sign(null, Buffer.from(input), keys.privateKey);
    // Flattened, as a token parsed from an HTTP header is: a string built by concatenation
    // would charge its flattening to whichever verifier touches it first.
    tokens.push(Buffer.from(`${input}.${signature.toString('base64url')}`, 'latin1').toString('latin1'));
  }
  return tokens;
}

/** Serves `{ keys }` at /jwks.json and /.well-known/jwks.json on 127.0.0.1; `origin` can act as the issuer. */
export async function serveJwks(keys: readonly BenchKeys[]): Promise<{ uri: string; origin: string; close(): Promise<void> }> {
  const body = JSON.stringify({ keys: keys.map((key) => key.jwk) });
  const server: Server = createServer((_req, res) => {
    // No keep-alive: once a verifier has its keys, no idle connection is left to time out and
    // wake the event loop in the middle of a measurement.
    res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    uri: `${origin}/jwks.json`,
    origin,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
