import {
  ALGORITHM_SPECS,
  MIN_RSA_MODULUS_BITS,
  SUPPORTED_ALGORITHMS,
  type Algorithm,
} from '../token/algorithms.js';
import { decodeBase64url } from '../token/decode.js';
import { hasRocaFingerprint } from './roca.js';
import type { PublicJwk, SignatureRuntime, VerificationKey } from '../token/signature.js';

/** The usable keys of one fetched JWKS, indexed for the lookups verification makes. */
export interface KeySet {
  /**
   * kid → alg → the lookup answer: the keys with that kid usable for that alg (usually one).
   * Answers are built once per fetch, so a lookup allocates nothing; the kid and alg strings
   * come from a cached header, whose hashes the engine has already computed.
   */
  readonly byKid: ReadonlyMap<string, ReadonlyMap<Algorithm, KeyLookup>>;
  /** alg → the answer for tokens that carry no kid: found when exactly one key fits, else ambiguous. */
  readonly withoutKid: ReadonlyMap<Algorithm, KeyLookup>;
  /** Every kid in the set, usable or not, to tell "unknown kid" from "kid not usable". */
  readonly kids: ReadonlySet<string>;
  /** The usable keys themselves: a key still in here is still trusted. */
  readonly keys: ReadonlySet<VerificationKey>;
  /** Usable keys by identity (kid, alg and key material), to carry them over to the next set. */
  readonly byIdentity: ReadonlyMap<string, VerificationKey>;
  readonly size: number;
  /** How many JWKs were skipped as malformed or unusable. */
  readonly skipped: number;
}

/** What a key lookup found: keys to try, a known kid that cannot verify this alg, or nothing. */
export type KeyLookup =
  | { readonly kind: 'found'; readonly keys: readonly VerificationKey[] }
  | { readonly kind: 'unusable' | 'ambiguous' | 'unknown' };

const UNKNOWN: KeyLookup = { kind: 'unknown' };
const UNUSABLE: KeyLookup = { kind: 'unusable' };
const AMBIGUOUS: KeyLookup = { kind: 'ambiguous' };

export function lookupKey(set: KeySet, alg: Algorithm, kid: string | undefined): KeyLookup {
  if (kid === undefined) return set.withoutKid.get(alg) ?? UNKNOWN;
  return set.byKid.get(kid)?.get(alg) ?? (set.kids.has(kid) ? UNUSABLE : UNKNOWN);
}

/**
 * Imports every usable key of a JWKS document once. Keys that are malformed or unfit for
 * signature verification are skipped, so one bad key never takes the rest of the set down.
 * A key identical to one in `previous` (same kid, alg and material) is carried over rather
 * than imported again, so a routine refresh costs no imports and keeps key identity.
 * Rejects only when the document itself is not a key set.
 */
export async function importKeySet(
  document: unknown,
  allowed: ReadonlySet<Algorithm>,
  runtime: SignatureRuntime,
  previous?: KeySet,
): Promise<KeySet> {
  if (typeof document !== 'object' || document === null || !Array.isArray((document as { keys?: unknown }).keys)) {
    throw new Error('response is not a JWK Set (no "keys" array)');
  }
  const kids = new Set<string>();
  const pending: Promise<VerificationKey | undefined>[] = [];
  for (const jwk of (document as { keys: unknown[] }).keys) {
    if (typeof jwk === 'object' && jwk !== null && typeof (jwk as { kid?: unknown }).kid === 'string') {
      kids.add((jwk as { kid: string }).kid);
    }
    pending.push(importVerificationKey(jwk, allowed, runtime, previous?.byIdentity));
  }
  const byKidAndAlg = new Map<string, Map<Algorithm, VerificationKey[]>>();
  const byAlg = new Map<Algorithm, VerificationKey[]>();
  const keys = new Set<VerificationKey>();
  const byIdentity = new Map<string, VerificationKey>();
  let skipped = 0;
  for (const key of await Promise.all(pending)) {
    if (key === undefined) {
      skipped++;
      continue;
    }
    // The same key published twice is one key.
    if (byIdentity.has(key.identity)) continue;
    keys.add(key);
    byIdentity.set(key.identity, key);
    for (const alg of key.algorithms) {
      push(byAlg, alg, key);
      if (key.kid === undefined) continue;
      let forKid = byKidAndAlg.get(key.kid);
      if (forKid === undefined) byKidAndAlg.set(key.kid, (forKid = new Map()));
      push(forKid, alg, key);
    }
  }
  const found = (list: readonly VerificationKey[]): KeyLookup => ({ kind: 'found', keys: list });
  const byKid = new Map<string, ReadonlyMap<Algorithm, KeyLookup>>();
  for (const [kid, forKid] of byKidAndAlg) byKid.set(kid, new Map([...forKid].map(([alg, list]) => [alg, found(list)])));
  // Without a kid the choice must be unambiguous: exactly one key fits the alg.
  const withoutKid = new Map([...byAlg].map(([alg, list]) => [alg, list.length === 1 ? found(list) : AMBIGUOUS]));
  return { byKid, withoutKid, kids, keys, byIdentity, size: keys.size, skipped };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** `key_ops` (RFC 7517 §4.3), when present: distinct strings, one of them "verify". */
function allowsVerify(keyOps: unknown): boolean {
  if (keyOps === undefined) return true;
  if (!Array.isArray(keyOps) || keyOps.some((op) => typeof op !== 'string')) return false;
  return new Set(keyOps).size === keyOps.length && keyOps.includes('verify');
}

/** What a JWK may verify, or why it must not be used. */
export type KeyAssessment =
  | {
      readonly usable: true;
      readonly kid: string | undefined;
      /** The allowed algorithms it may verify: its own `alg`, or every one its type fits. */
      readonly algorithms: ReadonlySet<Algorithm>;
      /** Its public members, the only ones a key is imported from. */
      readonly publicJwk: PublicJwk;
      /** RSA modulus length in bytes. */
      readonly modulusBytes: number | undefined;
    }
  | { readonly usable: false; readonly reason: string };

const unusable = (reason: string): KeyAssessment => ({ usable: false, reason });

/**
 * Decides, without importing it, whether a JWK of a key set may verify tokens under the
 * `allowed` algorithms, and says why not when it may not. The rules every key passes before
 * a runtime sees it.
 */
export function assessKey(jwk: unknown, allowed: ReadonlySet<Algorithm>): KeyAssessment {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return unusable('it is not a JSON object');
  const { kty, kid, use, key_ops: keyOps, alg, crv } = jwk as Record<string, unknown>;
  if (typeof kty !== 'string') return unusable('it has no "kty"');
  if (kid !== undefined && typeof kid !== 'string') return unusable('its "kid" is not a string');
  if (use !== undefined && use !== 'sig') return unusable('its "use" is not "sig"');
  if (!allowsVerify(keyOps)) return unusable('its "key_ops" do not allow "verify"');
  if (alg !== undefined && typeof alg !== 'string') return unusable('its "alg" is not a string');

  // A key declaring its alg is bound to it; otherwise it may serve every allowed alg its type fits.
  const candidates: readonly Algorithm[] =
    alg === undefined ? SUPPORTED_ALGORITHMS : SUPPORTED_ALGORITHMS.filter((name) => name === alg);
  const algorithms = new Set<Algorithm>();
  for (const name of candidates) {
    const spec = ALGORITHM_SPECS[name];
    if (!allowed.has(name) || spec.kty !== kty) continue;
    if (spec.curves.length > 0 && !spec.curves.includes(crv as string)) continue;
    algorithms.add(name);
  }
  if (algorithms.size === 0) {
    return unusable(
      alg === undefined
        ? `no allowed algorithm fits its type (${kty}${typeof crv === 'string' ? ` ${crv}` : ''})`
        : `its "alg" ${alg} is not allowed, not supported, or does not fit its type`,
    );
  }

  let publicJwk: PublicJwk;
  try {
    // Only the public members are copied: a JWKS that leaks private parameters must still
    // yield a public key, and no other member can influence the import.
    publicJwk = publicMembers(jwk as Record<string, unknown>, kty);
  } catch (error) {
    return unusable(`its ${(error as Error).message}`);
  }
  let modulusBytes: number | undefined;
  if (publicJwk.kty === 'RSA') {
    const modulus = decodeBase64url(publicJwk.n);
    if (modulus === undefined) return unusable('its modulus "n" is not canonical base64url');
    const bits = modulusBits(modulus);
    if (bits < MIN_RSA_MODULUS_BITS) return unusable(`its modulus has ${bits} bits, under ${MIN_RSA_MODULUS_BITS}`);
    if (!isUsableExponent(publicJwk.e)) return unusable('its public exponent "e" is not an odd number of at least 3');
    // A key anyone can factor would let anyone sign (see ./roca.ts).
    if (hasRocaFingerprint(modulus)) return unusable('its modulus has the ROCA fingerprint (CVE-2017-15361)');
    modulusBytes = Math.ceil(bits / 8);
  }
  return { usable: true, kid: kid as string | undefined, algorithms, publicJwk, modulusBytes };
}

/**
 * One JWK → a verification key, or `undefined` when it must not be used. `reusable` offers
 * already-imported keys by identity.
 */
export async function importVerificationKey(
  jwk: unknown,
  allowed: ReadonlySet<Algorithm>,
  runtime: SignatureRuntime,
  reusable?: ReadonlyMap<string, VerificationKey>,
): Promise<VerificationKey | undefined> {
  const assessed = assessKey(jwk, allowed);
  if (!assessed.usable) return undefined;
  const { kid, algorithms, publicJwk, modulusBytes } = assessed;
  const identity = JSON.stringify([kid ?? null, [...algorithms], publicJwk]);
  const known = reusable?.get(identity);
  if (known !== undefined) return known;
  try {
    const handle = await runtime.importKey(publicJwk, algorithms);
    return { kid, algorithms, handle, modulusBytes, identity };
  } catch {
    return undefined;
  }
}

/** Bit length of a big-endian modulus, ignoring leading zero bytes. */
export function modulusBits(bytes: Uint8Array): number {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  if (start === bytes.length) return 0;
  return (bytes.length - start - 1) * 8 + (32 - Math.clz32(bytes[start] as number));
}

/**
 * RFC 8017 §3.1: the public exponent is odd and at least 3. With e = 1 a signature is the
 * padded message itself, so anyone could forge one (Wycheproof `rejectsPublicExponent1`).
 */
function isUsableExponent(e: string): boolean {
  const bytes = decodeBase64url(e);
  if (bytes === undefined || bytes.length === 0) return false;
  const last = bytes[bytes.length - 1] as number;
  if ((last & 1) === 0) return false;
  for (let i = 0; i < bytes.length - 1; i++) if (bytes[i] !== 0) return true;
  return last > 1;
}

function publicMembers(jwk: Record<string, unknown>, kty: string): PublicJwk {
  const member = (name: string): string => {
    const value = jwk[name];
    if (typeof value !== 'string' || value.length === 0) throw new Error(`member "${name}" is missing`);
    return value;
  };
  if (kty === 'RSA') return { kty, n: member('n'), e: member('e') };
  if (kty === 'EC') return { kty, crv: member('crv'), x: member('x'), y: member('y') };
  if (kty === 'OKP') return { kty, crv: member('crv'), x: member('x') };
  throw new Error(`"kty" ${kty} is not supported`);
}
