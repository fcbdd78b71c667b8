// The verifiers compared in `npm run bench`, each configured as its documentation suggests for
// the same job: issuer, audience and algorithm checked, keys from the same JWKS.
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { JwtVerifier } from 'aws-jwt-verify';
import { createVerifier as createFastJwtVerifier } from 'fast-jwt';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { createVerifier } from '../src/index.js';
import { AUDIENCE, ISSUER, type BenchKeys } from './fixtures.js';

export interface Contender {
  readonly name: string;
  readonly verify: (token: string) => unknown;
}

function splitForBare(token: string): { data: Buffer; signature: Buffer } {
  const dot = token.lastIndexOf('.');
  return { data: Buffer.from(token.slice(0, dot)), signature: Buffer.from(token.slice(dot + 1), 'base64url') };
}

function bareOptions(keys: BenchKeys): { algorithm: string | null; key: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' } } {
  if (keys.alg === 'RS256') return { algorithm: 'sha256', key: keys.publicKey };
  if (keys.alg === 'ES256') return { algorithm: 'sha256', key: { key: keys.publicKey, dsaEncoding: 'ieee-p1363' } };
  return { algorithm: null, key: keys.publicKey };
}

/** The floor: node:crypto's synchronous verify on the signature alone, no parsing, no claims. */
export function bareSync(keys: BenchKeys): Contender {
  const { algorithm, key } = bareOptions(keys);
  return {
    name: 'bare crypto.verify (sync)',
    verify: (token) => {
      const { data, signature } = splitForBare(token);
      if (!cryptoVerify(algorithm, data, key, signature)) throw new Error('bad signature');
    },
  };
}

/**
 * Not a verifier to use: the least any verifier does that returns claims, as a reference for
 * what is left between bare and a real one (issue #22). The bare call, plus the payload decoded
 * leniently (`JSON.parse` of `Buffer.from(segment, 'base64url')`, no canonical-encoding, UTF-8,
 * duplicate-member or header checks, nothing frozen) and issuer, audience and expiry compared.
 */
export function leastVerifier(keys: BenchKeys): Contender {
  const { algorithm, key } = bareOptions(keys);
  return {
    name: 'least a verifier does',
    verify: (token) => {
      const first = token.indexOf('.');
      const second = token.indexOf('.', first + 1);
      if (!cryptoVerify(algorithm, Buffer.from(token.slice(0, second)), key, Buffer.from(token.slice(second + 1), 'base64url'))) {
        throw new Error('bad signature');
      }
      const claims = JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64url').toString()) as { iss: string; aud: string; exp: number };
      if (claims.iss !== ISSUER || claims.aud !== AUDIENCE || !(claims.exp > Date.now() / 1000)) throw new Error('bad claims');
      return claims;
    },
  };
}

/** node:crypto's callback verify, which runs on the libuv thread pool (all cores). */
export function bareAsync(keys: BenchKeys): Contender {
  const { algorithm, key } = bareOptions(keys);
  return {
    name: 'bare crypto.verify (async)',
    verify: (token) => {
      const { data, signature } = splitForBare(token);
      return new Promise<void>((resolve, reject) => {
        cryptoVerify(algorithm, data, key, signature, (error, ok) => (error || !ok ? reject(error ?? new Error('bad')) : resolve()));
      });
    },
  };
}

export async function tokenwarden(keys: BenchKeys, jwksUri: string, cache = true): Promise<Contender> {
  const verifier = createVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri,
    algorithms: [keys.alg],
    // Under callgrind the first fetch of the key set can take longer than the default 5 s.
    jwks: { timeout: 60 },
    ...(cache ? {} : { cache: false as const }),
  });
  await verifier.warmUp();
  return { name: cache ? 'tokenwarden' : 'tokenwarden (cache off)', verify: (token) => verifier.verifyAccessToken(token) };
}

export function jose(keys: BenchKeys): Contender {
  const jwks = createLocalJWKSet({ keys: [keys.jwk] } as JSONWebKeySet);
  const options = { issuer: ISSUER, audience: AUDIENCE, algorithms: [keys.alg] };
  return { name: 'jose jwtVerify', verify: (token) => jwtVerify(token, jwks, options) };
}

export function awsJwtVerify(keys: BenchKeys): Contender {
  const verifier = JwtVerifier.create({ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${ISSUER}/jwks.json` });
  verifier.cacheJwks({ keys: [keys.jwk] } as unknown as Parameters<typeof verifier.cacheJwks>[0]);
  return { name: 'aws-jwt-verify', verify: (token) => verifier.verify(token) };
}

export function fastJwt(keys: BenchKeys, cache = false): Contender {
  const verify = createFastJwtVerifier({
    key: keys.publicPem,
    algorithms: [keys.alg],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
    cache,
  });
  return { name: cache ? 'fast-jwt (cache on)' : 'fast-jwt', verify: (token) => verify(token) };
}
