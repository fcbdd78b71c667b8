// Shared pieces of the fuzz suites: run sizes, a pool of keys made for this run, arbitraries for
// scenarios (key set, header, claims, mutation) and jose's jwtVerify as the reference verifier.
//
// CI runs a fixed seed with modest run counts; FUZZ_RUNS=20000 (and optionally FUZZ_SEED=n)
// runs more on demand, e.g. `FUZZ_RUNS=20000 npx vitest run --project node test/fuzz`.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { AccessTokenError, ERROR_STATUS, SUPPORTED_ALGORITHMS, type Algorithm, type ErrorCode, type Verifier } from '../../src/index.js';
import { AUDIENCE, ISSUER, b64u, forgeToken, generateKey, type ForgeKey, type PublishedJwk } from '../helpers/forge.js';

/** The fixed seed of CI runs; FUZZ_SEED overrides it to explore elsewhere. */
export const FUZZ_SEED = process.env.FUZZ_SEED === undefined ? 0x7_0c3e : Number.parseInt(process.env.FUZZ_SEED, 10);

/** Runs for a property: `ci` in CI, or FUZZ_RUNS when set. */
export function fuzzRuns(ci: number): number {
  const requested = process.env.FUZZ_RUNS === undefined ? Number.NaN : Number.parseInt(process.env.FUZZ_RUNS, 10);
  return Number.isInteger(requested) && requested > 0 ? requested : ci;
}

/** A test timeout that grows with the run count (the config's 20 s suits CI runs only). */
export function fuzzTimeout(runs: number, msPerRun: number): number {
  return Math.max(20_000, runs * msPerRun * 5);
}

export const fcOptions = (numRuns: number): fc.Parameters<unknown> => ({ seed: FUZZ_SEED, numRuns, endOnFailure: true });

/**
 * The fixed clock of the differential properties, a whole second: jose floors the current time
 * to seconds while tokenwarden keeps the fraction, so on a fractional clock a token with a
 * fractional `nbf` can be valid to tokenwarden a fraction of a second before jose agrees.
 */
export const NOW = 1_750_000_000;

export interface PoolKey {
  readonly key: ForgeKey;
  /** Algorithms this key can sign with. */
  readonly algs: readonly Algorithm[];
  /** A different alg to publish the key under, for "key bound to another alg". */
  readonly otherAlg: string;
}

const RSA_ALGS: Algorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

/** Keys for this run: two RSA keys (so kid-less tokens can be ambiguous), the EC curves, Ed25519. */
export function createKeyPool(): readonly PoolKey[] {
  return [
    { key: generateKey('RS256', { kid: 'rsa-a' }), algs: RSA_ALGS, otherAlg: 'RS512' },
    { key: generateKey('PS256', { kid: 'rsa-b' }), algs: RSA_ALGS, otherAlg: 'RS256' },
    { key: generateKey('ES256', { kid: 'ec-256' }), algs: ['ES256'], otherAlg: 'ES384' },
    { key: generateKey('ES384', { kid: 'ec-384' }), algs: ['ES384'], otherAlg: 'ES256' },
    { key: generateKey('ES512', { kid: 'ec-521' }), algs: ['ES512'], otherAlg: 'ES256' },
    { key: generateKey('EdDSA', { kid: 'ed-25519' }), algs: ['EdDSA'], otherAlg: 'Ed25519' },
  ];
}

/** The bare public JWK of a key: key material only. */
export function bareJwk(key: ForgeKey): PublishedJwk {
  const { kid: _kid, alg: _alg, use: _use, ...material } = key.jwk;
  return material;
}

// --- How each key is published -------------------------------------------------------------

export interface JwkVariant {
  readonly include: boolean;
  readonly kid: 'own' | 'absent' | 'shared';
  readonly alg: 'natural' | 'absent' | 'other';
  readonly use: 'sig' | 'absent' | 'enc';
  readonly keyOps: 'absent' | 'verify' | 'sign' | 'verify-sign' | 'empty';
}

/** `usual` most of the time, one of `unusual` now and then: each dimension is mostly sound, so
 * that tokens that should verify stay common while every fault still turns up. */
export function mostly<T>(usual: fc.Arbitrary<T>, unusual: fc.Arbitrary<T>, usualWeight = 19): fc.Arbitrary<T> {
  return fc.oneof({ weight: usualWeight, arbitrary: usual }, { weight: 1, arbitrary: unusual });
}

const jwkVariant: fc.Arbitrary<JwkVariant> = fc.record({
  include: mostly(fc.constant(true), fc.constant(false), 30),
  kid: mostly(fc.constant('own' as const), fc.constantFrom('absent' as const, 'shared' as const)),
  alg: mostly(fc.constantFrom('natural' as const, 'absent' as const), fc.constant('other' as const), 9),
  use: mostly(fc.constantFrom('sig' as const, 'absent' as const), fc.constant('enc' as const)),
  // Not ["sign", "verify"]: tokenwarden uses such a key (it may verify), while jose's WebCrypto
  // import refuses a public key that lists "sign", so the reference would differ for a reason
  // that is not about verification. differential.test.ts covers that case on its own.
  keyOps: mostly(
    fc.constantFrom('absent' as const, 'absent' as const, 'verify' as const),
    fc.constantFrom('sign' as const, 'empty' as const),
    12,
  ),
});

const KEY_OPS: Record<Exclude<JwkVariant['keyOps'], 'absent'>, string[]> = {
  verify: ['verify'],
  sign: ['sign'],
  'verify-sign': ['sign', 'verify'],
  empty: [],
};

/** The key set a scenario publishes. A `natural` alg is the signing alg for the signer's key. */
export function publish(pool: readonly PoolKey[], variants: readonly JwkVariant[], signer = -1, signingAlg?: Algorithm): PublishedJwk[] {
  const keys: PublishedJwk[] = [];
  pool.forEach((entry, index) => {
    const variant = variants[index];
    if (variant === undefined || !variant.include) return;
    const jwk: PublishedJwk = bareJwk(entry.key);
    if (variant.kid === 'own') jwk.kid = entry.key.kid;
    if (variant.kid === 'shared') jwk.kid = 'shared-kid';
    if (variant.alg === 'natural') jwk.alg = index === signer && signingAlg !== undefined ? signingAlg : entry.key.alg;
    if (variant.alg === 'other') jwk.alg = entry.otherAlg;
    if (variant.use !== 'absent') jwk.use = variant.use;
    if (variant.keyOps !== 'absent') jwk.key_ops = KEY_OPS[variant.keyOps];
    keys.push(jwk);
  });
  return keys;
}

// --- Claims ----------------------------------------------------------------------------------

// Registered claims, and those tokenwarden checks beyond jose (types of client_id, scope, scp; auth_time; a cnf binding)
const RESERVED = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'sub', 'jti', 'auth_time', 'client_id', 'scope', 'scp', 'cnf']);

/** Claims beyond the registered ones, any JSON (names like "__proto__" included). */
export const extraClaims: fc.Arbitrary<[string, unknown][]> = fc
  .array(fc.tuple(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })), { maxLength: 3 })
  .map((entries) => entries.filter(([name]) => !RESERVED.has(name)));

/**
 * A time claim: mostly a sound value in [min, max] seconds from now, often right at the edge of
 * the tolerance (now ± 12 s, whole or fractional), sometimes not a NumericDate at all.
 */
const timeClaim = (min: number, max: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min, max }).map((delta) => NOW + delta) },
    { weight: 3, arbitrary: fc.integer({ min: -12, max: 12 }).map((delta) => NOW + delta) },
    { weight: 1, arbitrary: fc.double({ min: NOW - 12, max: NOW + 12, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(String(NOW), null, [NOW], { at: NOW }, -1, 0, 1e308, true) },
  );

const absentOr = <T>(arbitrary: fc.Arbitrary<T>, absentWeight: number, presentWeight: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: absentWeight, arbitrary: fc.constant(undefined) }, { weight: presentWeight, arbitrary });

/** Claims of every shape: mostly close to valid, often wrong in one place. */
export const anyClaims: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    iss: mostly(
      fc.constant<unknown>(ISSUER),
      fc.constantFrom<unknown>(`${ISSUER}/`, 'https://evil.example', [ISSUER], 42, undefined),
      30,
    ),
    aud: mostly(
      fc.constantFrom<unknown>(AUDIENCE, AUDIENCE, [AUDIENCE], [AUDIENCE, 'other-api'], ['other-api', AUDIENCE]),
      fc.constantFrom<unknown>('other-api', ['other-api'], [], [[AUDIENCE]], [AUDIENCE, 1], 42, '', undefined),
      12,
    ),
    exp: absentOr(timeClaim(200, 1200), 1, 30),
    nbf: absentOr(timeClaim(-900, 0), 4, 1),
    iat: absentOr(timeClaim(-900, 0), 1, 1),
    sub: mostly(fc.string({ maxLength: 12 }), fc.constantFrom<unknown>(42, null, undefined)),
    jti: mostly(fc.uuid(), fc.constantFrom<unknown>(7, undefined)),
    extras: extraClaims,
  })
  .map(({ extras, ...registered }) => claimsObject(registered, extras));

/** An object with own data properties only (Object.fromEntries, so "__proto__" stays a claim). */
export function claimsObject(registered: Record<string, unknown>, extras: readonly [string, unknown][]): Record<string, unknown> {
  const entries: [string, unknown][] = [...extras];
  for (const [name, value] of Object.entries(registered)) if (value !== undefined) entries.push([name, value]);
  return Object.fromEntries(entries) as Record<string, unknown>;
}

// --- Headers and mutations -------------------------------------------------------------------

export interface HeaderChoice {
  /** `signing`: the algorithm the token is really signed with. */
  readonly alg: string;
  readonly kid: 'signer' | 'shared' | 'other' | 'random' | 'absent' | 'number';
  readonly typ: string | undefined;
  readonly extras: readonly (readonly [string, unknown])[];
}

const HEADER_EXTRAS: readonly (readonly [string, unknown])[] = [
  ['jku', 'http://127.0.0.1:9/jwks.json'],
  ['x5u', 'http://127.0.0.1:9/cert.pem'],
  ['jwk', { kty: 'OKP', crv: 'Ed25519', x: b64u(new Uint8Array(32)) }],
  ['x5c', ['MIIB']],
  ['cty', 'JWT'],
  ['cty', 'json'],
  ['crit', ['b64']],
  ['crit', ['exp']],
  ['b64', true],
  ['b64', false],
  ['enc', 'A256GCM'],
  ['zip', 'DEF'],
  ['custom', { nested: [1, 'two'] }],
];

export const headerChoice: fc.Arbitrary<HeaderChoice> = fc.record({
  alg: mostly(
    fc.constant('signing'),
    fc.constantFrom('RS256', 'PS512', 'ES256', 'ES512', 'EdDSA', 'HS256', 'none', 'None', 'Ed25519', 'RS1'),
    25,
  ),
  kid: mostly(
    fc.constant('signer' as const),
    fc.constantFrom('shared' as const, 'other' as const, 'random' as const, 'absent' as const, 'number' as const),
    8,
  ),
  typ: fc.constantFrom(undefined, 'at+jwt', 'JWT', 'application/at+jwt', 'x'),
  extras: mostly<readonly (readonly [string, unknown])[]>(
    fc.constant([]),
    fc.subarray(HEADER_EXTRAS as (readonly [string, unknown])[], { maxLength: 3 }),
    6,
  ),
});

export type Mutation =
  | { readonly kind: 'none' }
  | { readonly kind: 'flip'; readonly segment: number; readonly byte: number; readonly bit: number }
  | { readonly kind: 'char'; readonly position: number; readonly char: string }
  | { readonly kind: 'truncate'; readonly position: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Mutation>({ kind: 'none' }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      segment: fc.integer({ min: 0, max: 2 }),
      byte: fc.nat(),
      bit: fc.integer({ min: 0, max: 7 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('char' as const), position: fc.nat(), char: fc.constantFrom(...'Aa0-_.=+/ {') }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), position: fc.nat() }) },
);

export function mutate(token: string, change: Mutation): string {
  switch (change.kind) {
    case 'none':
      return token;
    case 'flip': {
      const segments = token.split('.');
      const bytes = Buffer.from(segments[change.segment] ?? '', 'base64url');
      if (bytes.length === 0) return token;
      const index = change.byte % bytes.length;
      bytes[index] = (bytes[index] as number) ^ (1 << change.bit);
      segments[change.segment] = bytes.toString('base64url');
      return segments.join('.');
    }
    case 'char': {
      const position = change.position % token.length;
      return token.slice(0, position) + change.char + token.slice(position + 1);
    }
    case 'truncate':
      return token.slice(0, change.position % token.length);
  }
}

// --- Scenarios -------------------------------------------------------------------------------

export interface Scenario {
  readonly variants: readonly JwkVariant[];
  readonly signer: number;
  readonly signingAlg: number;
  readonly header: HeaderChoice;
  readonly claims: Record<string, unknown>;
  readonly mutation: Mutation;
  readonly clockTolerance: number;
  readonly algorithms: readonly Algorithm[];
}

export const scenario = (pool: readonly PoolKey[]): fc.Arbitrary<Scenario> =>
  fc.record({
    variants: fc.array(jwkVariant, { minLength: pool.length, maxLength: pool.length }),
    signer: fc.nat({ max: pool.length - 1 }),
    signingAlg: fc.nat(),
    header: headerChoice,
    claims: anyClaims,
    mutation,
    clockTolerance: fc.integer({ min: 0, max: 10 }),
    algorithms: mostly<readonly Algorithm[]>(
      fc.constant([...SUPPORTED_ALGORITHMS]),
      fc.subarray([...SUPPORTED_ALGORITHMS], { minLength: 1 }),
      9,
    ),
  });

export interface Built {
  readonly token: string;
  readonly keys: PublishedJwk[];
}

/** The token and key set a scenario describes. */
export function build(pool: readonly PoolKey[], s: Scenario): Built {
  const signer = pool[s.signer] as PoolKey;
  const alg = signer.algs[s.signingAlg % signer.algs.length] as Algorithm;
  const header: Record<string, unknown> = { alg: s.header.alg === 'signing' ? alg : s.header.alg };
  const other = pool[(s.signer + 1) % pool.length] as PoolKey;
  const kids: Record<HeaderChoice['kid'], unknown> = {
    signer: signer.key.kid,
    shared: 'shared-kid',
    other: other.key.kid,
    random: randomUUID(),
    absent: undefined,
    number: 42,
  };
  if (kids[s.header.kid] !== undefined) header.kid = kids[s.header.kid];
  if (s.header.typ !== undefined) header.typ = s.header.typ;
  for (const [name, value] of s.header.extras) header[name] = value;
  const token = forgeToken({ header, payload: s.claims, key: signer.key.privateKey, alg });
  return { token: mutate(token, s.mutation), keys: publish(pool, s.variants, s.signer, alg) };
}

// --- Decisions -------------------------------------------------------------------------------

export type Decision =
  | { readonly accepted: true; readonly claims: Record<string, unknown> }
  | { readonly accepted: false; readonly code: string; readonly message: string };

const CODES = new Set(Object.keys(ERROR_STATUS));

/**
 * tokenwarden's decision. Anything thrown other than an AccessTokenError with a code of the
 * closed set and its status is re-thrown, failing the property.
 */
export async function tokenwardenDecision(
  verifier: Pick<Verifier, 'verifyAccessToken'>,
  token: string,
  isOwnError: (error: unknown) => error is AccessTokenError = (error): error is AccessTokenError =>
    error instanceof AccessTokenError,
): Promise<Decision> {
  try {
    return { accepted: true, claims: (await verifier.verifyAccessToken(token)) as Record<string, unknown> };
  } catch (error) {
    if (!isOwnError(error) || !CODES.has(error.code) || error.status !== ERROR_STATUS[error.code as ErrorCode]) throw error;
    return { accepted: false, code: error.code, message: error.message };
  }
}

export interface ReferenceOptions {
  readonly clockTolerance: number;
  readonly algorithms: readonly string[];
}

/** jose's decision with the same issuer, audience, algorithms and tolerance (exp required, as here). */
export async function joseDecision(token: string, keys: readonly PublishedJwk[], options: ReferenceOptions): Promise<Decision> {
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: keys as never[] }), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: [...options.algorithms],
      clockTolerance: options.clockTolerance,
      requiredClaims: ['exp'],
    });
    return { accepted: true, claims: payload as Record<string, unknown> };
  } catch (error) {
    return { accepted: false, code: (error as { code?: string }).code ?? 'unknown', message: String(error) };
  }
}
