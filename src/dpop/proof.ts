// Checking a DPoP proof (RFC 9449 §4.3): a compact JWS parsed as strictly as an access token,
// whose header carries the public key that signed it. Every refusal here is
// `dpop_proof_invalid`; the message says which rule failed and never repeats the proof.
import { AccessTokenError, isAccessTokenError } from '../errors.js';
import { importVerificationKey } from '../jwks/key-set.js';
import { thumbprintInput } from '../jwks/thumbprint.js';
import type { Algorithm } from '../token/algorithms.js';
import { createKnownHeaders, parseCompactJws, type ParseOptions } from '../token/parse.js';
import { hasExpectedShape, type SignatureRuntime, type VerificationKey } from '../token/signature.js';
import type { Digests } from './digest.js';
import { httpTarget, type HttpTarget } from './htu.js';

/** Longest proof accepted, in characters, before any decoding: an RSA-4096 proof is under 3000. */
export const MAX_PROOF_LENGTH = 8192;
/** Longest `jti` accepted; it is kept in the replay store for the proof's window. */
const MAX_JTI_LENGTH = 256;
// RFC 7517 §4 / RFC 7518 §6: members only a private or symmetric key has.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
// Clients keep their key for many proofs: an imported key is reused, by its public members.
const MAX_KNOWN_KEYS = 1024;

export const proofInvalid = (message: string, cause?: unknown): AccessTokenError =>
  new AccessTokenError('dpop_proof_invalid', `DPoP proof ${message}`, cause === undefined ? undefined : { cause });

/** What a valid proof establishes. */
export interface CheckedProof {
  /** RFC 7638 thumbprint (SHA-256, base64url) of the proof's key: what `cnf.jkt` must equal. */
  readonly jkt: string;
  readonly jti: string;
  readonly iat: number;
  readonly nonce: unknown;
}

/** The request a proof must describe. */
export interface ProofRequest {
  readonly method: string;
  /** The request's own target, or `undefined` when only `origins` decide the origin. */
  readonly target: HttpTarget;
  /** The access token presented with the proof, whose hash `ath` must be. */
  readonly token: string;
}

export interface ProofChecker {
  check(proof: string, request: ProofRequest, now: number): Promise<CheckedProof>;
}

export interface ProofCheckerSettings {
  readonly algorithms: ReadonlySet<Algorithm>;
  readonly maxProofAge: number;
  readonly clockTolerance: number;
  readonly origins: ReadonlySet<string> | undefined;
  readonly signatures: SignatureRuntime;
  readonly digests: Digests;
}

interface KnownKey {
  readonly key: VerificationKey;
  readonly jkt: string;
}

export function createProofChecker(settings: ProofCheckerSettings): ProofChecker {
  const { algorithms, maxProofAge, clockTolerance, origins, signatures, digests } = settings;
  // A client signs its proofs with one key, so their headers repeat: decoded and checked once.
  const parseOptions: ParseOptions = { maxTokenLength: MAX_PROOF_LENGTH, algorithms, headers: createKnownHeaders() };
  const knownKeys = new Map<string, KnownKey>();
  // The key of a header already seen (headers are shared, frozen objects): no thumbprint input to build.
  const keysByHeader = new WeakMap<object, KnownKey>();

  async function keyOf(jwk: unknown, alg: Algorithm): Promise<KnownKey> {
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw proofInvalid('has no "jwk" header');
    const members = jwk as Record<string, unknown>;
    // RFC 9449 §4.3 step 7: the key must be public; a client publishing its private key in every
    // request is broken, and a symmetric key would let anyone sign.
    if (PRIVATE_MEMBERS.some((name) => Object.hasOwn(members, name))) throw proofInvalid('"jwk" header holds a private or symmetric key');
    const input = thumbprintInput(members);
    if (input === undefined) throw proofInvalid('"jwk" header is not a usable public key');
    const cacheKey = `${alg} ${input}`;
    const known = knownKeys.get(cacheKey);
    if (known !== undefined) return known;
    const key = await importVerificationKey(members, new Set([alg]), signatures);
    if (key === undefined) throw proofInvalid('"jwk" header is not a usable public key for its "alg"');
    const jktAnswer = digests.sha256(input);
    const entry: KnownKey = { key, jkt: typeof jktAnswer === 'string' ? jktAnswer : await jktAnswer };
    if (knownKeys.size >= MAX_KNOWN_KEYS) knownKeys.delete(knownKeys.keys().next().value as string);
    knownKeys.set(cacheKey, entry);
    return entry;
  }

  function checkHtu(htu: unknown, expected: HttpTarget): void {
    const named = httpTarget(htu, true);
    if (named === undefined) throw proofInvalid('"htu" is not an absolute http(s) URL without query and fragment');
    const originMatches = origins === undefined ? named.origin === expected.origin : origins.has(named.origin);
    if (!originMatches || named.path !== expected.path) throw proofInvalid('"htu" does not match the request URL');
  }

  return {
    async check(proof, request, now) {
      let parsed;
      try {
        parsed = parseCompactJws(proof, parseOptions);
      } catch (error) {
        if (!isAccessTokenError(error)) throw error;
        throw proofInvalid(`is not acceptable: ${error.message.replace('access token', 'proof').replace('token', 'proof')}`);
      }
      const { header, payload } = parsed;
      // RFC 9449 §4.3 step 4: explicit typing, so that no other JWT passes for a proof.
      if (header.typ !== 'dpop+jwt') throw proofInvalid('"typ" is not "dpop+jwt"');
      const { jti, htm, htu, iat, ath, nonce } = payload;
      if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
        throw proofInvalid(`has no "jti" (a string of 1 to ${MAX_JTI_LENGTH} characters)`);
      }
      if (htm !== request.method) throw proofInvalid('"htm" does not match the request method');
      checkHtu(htu, request.target);
      if (typeof iat !== 'number' || !Number.isFinite(iat)) throw proofInvalid('has no numeric "iat"');
      if (iat > now + clockTolerance) throw proofInvalid('"iat" is in the future');
      if (iat < now - maxProofAge - clockTolerance) throw proofInvalid('is too old ("iat")');
      // RFC 9449 §4.3 step 12: bound to this access token by its hash.
      const expectedAth = digests.sha256(request.token);
      if (typeof ath !== 'string' || ath !== (typeof expectedAth === 'string' ? expectedAth : await expectedAth)) {
        throw proofInvalid('"ath" is not the hash of the access token');
      }

      let known = keysByHeader.get(header);
      if (known === undefined) {
        known = await keyOf(header.jwk, header.alg);
        keysByHeader.set(header, known);
      }
      const { key, jkt } = known;
      const { signingInput, signature } = parsed;
      const answer = hasExpectedShape(header.alg, key, signature) && signatures.verify(header.alg, key, signingInput, signature);
      const valid = typeof answer === 'boolean' ? answer : await answer;
      if (!valid) throw proofInvalid('signature does not verify with its "jwk"');
      return { jkt, jti, iat, nonce };
    },
  };
}
