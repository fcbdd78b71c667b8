import { AccessTokenError } from '../errors.js';
import type { JwsHeader } from '../token/parse.js';

/** The claim rules of one verifier, resolved from its options once. */
export interface ClaimRules {
  /** Accepted `aud` values; `undefined` when only `clientIds` decide (the token may have no `aud`). */
  readonly audiences: readonly string[] | undefined;
  /** Accepted clients (`client_id`, else `azp`, else `cid`); `undefined`: not checked. */
  readonly clientIds?: readonly string[] | undefined;
  /** Claims that must hold one of the given values (`expectClaims`). */
  readonly expectations?: readonly ClaimExpectation[] | undefined;
  /** Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. */
  readonly clockTolerance: number;
  readonly maxTokenAge: number | undefined;
  /** Expected `typ`, already normalised by {@link normalizeTyp}. */
  readonly typ: string | undefined;
  readonly requiredClaims: readonly string[];
}

/** One `expectClaims` entry: the claim `name` must equal (===) one of `values`. */
export interface ClaimExpectation {
  readonly name: string;
  readonly values: readonly (string | number | boolean)[];
}

const claimInvalid = (message: string): AccessTokenError => new AccessTokenError('claim_invalid', message);

/**
 * RFC 7515 §4.1.9: media types compare case-insensitively and `application/` may be left out
 * when no other `/` follows, so `at+jwt` and `application/AT+JWT` are the same type.
 */
export function normalizeTyp(typ: string): string {
  const lower = typ.trim().toLowerCase();
  return lower.startsWith('application/') && !lower.includes('/', 12) ? lower.slice(12) : lower;
}

/** A NumericDate (RFC 7519 §2): a finite, non-negative number of seconds since the epoch. */
function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * Checks the claims of a token whose signature has already been verified. `now` is in
 * seconds. Throws the {@link AccessTokenError} for the first rule that fails.
 */
export function validateClaims(
  header: JwsHeader,
  payload: Record<string, unknown>,
  rules: ClaimRules,
  now: number,
): void {
  if (rules.typ !== undefined) {
    if (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== rules.typ) {
      throw new AccessTokenError('type_invalid', 'token "typ" header is not the expected type');
    }
  }

  const { exp, nbf, iat } = payload;
  if (exp === undefined) throw claimInvalid('token has no "exp" claim; access tokens must expire');
  if (!isNumericDate(exp)) throw claimInvalid('"exp" claim must be a non-negative finite number');
  if (nbf !== undefined && !isNumericDate(nbf)) throw claimInvalid('"nbf" claim must be a non-negative finite number');
  if (iat !== undefined && !isNumericDate(iat)) throw claimInvalid('"iat" claim must be a non-negative finite number');

  const tolerance = rules.clockTolerance;
  if (exp <= now - tolerance) throw new AccessTokenError('token_expired', 'token has expired');
  if (nbf !== undefined && nbf > now + tolerance) {
    throw new AccessTokenError('token_not_yet_valid', 'token is not valid yet ("nbf" is in the future)');
  }
  if (iat !== undefined && iat > now + tolerance) {
    throw new AccessTokenError('token_not_yet_valid', 'token was issued in the future ("iat")');
  }
  // OIDC Core §2: the time the user authenticated; one in the future is refused like `iat`
  // (Firebase documents this check for its tokens).
  const authTime = payload.auth_time;
  if (authTime !== undefined) {
    if (!isNumericDate(authTime)) throw claimInvalid('"auth_time" claim must be a non-negative finite number');
    if (authTime > now + tolerance) {
      throw new AccessTokenError('token_not_yet_valid', 'the user authenticated in the future ("auth_time")');
    }
  }
  if (rules.maxTokenAge !== undefined) {
    if (iat === undefined) throw claimInvalid('token has no "iat" claim, which maxTokenAge requires');
    if (now - iat > rules.maxTokenAge + tolerance) {
      throw new AccessTokenError('token_expired', 'token is older than maxTokenAge');
    }
  }

  if (rules.audiences !== undefined) checkAudience(payload.aud, rules.audiences);
  else checkAudienceType(payload.aud);

  // RFC 9068 §2.2 registers these as strings; a guard or a store reading another type would
  // otherwise decide on something the issuer never meant (`client_id: ["a"]` passing a check).
  // An empty subject names nobody: a store or a guard keyed by `sub` would lump such tokens together.
  if (payload.sub !== undefined && (typeof payload.sub !== 'string' || payload.sub === '')) {
    throw claimInvalid('"sub" claim must be a non-empty string');
  }
  if (payload.jti !== undefined && typeof payload.jti !== 'string') throw claimInvalid('"jti" claim must be a string');
  if (payload.client_id !== undefined && typeof payload.client_id !== 'string') {
    throw claimInvalid('"client_id" claim must be a string');
  }
  // `scope` is space-delimited text (RFC 8693 §4.2, RFC 9068 §2.2.3); `scp`, where issuers use
  // it, is the same as a string or an array of scope strings.
  if (payload.scope !== undefined && typeof payload.scope !== 'string') throw claimInvalid('"scope" claim must be a string');
  if (payload.scp !== undefined && !isScopeList(payload.scp)) {
    throw claimInvalid('"scp" claim must be a string or an array of strings');
  }
  for (const name of rules.requiredClaims) {
    // Own properties only: a required "constructor" claim must not be satisfied by Object.prototype.
    if (!Object.hasOwn(payload, name) || payload[name] === null || payload[name] === undefined) {
      throw claimInvalid(`token has no "${name}" claim, which is required`);
    }
  }
  if (rules.clientIds !== undefined) checkClient(payload, rules.clientIds);
  if (rules.expectations !== undefined) {
    for (const { name, values } of rules.expectations) {
      if (!Object.hasOwn(payload, name)) throw claimInvalid(`token has no "${name}" claim, which expectClaims requires`);
      // The value is never named: the token's author chose it, and a log need not repeat it.
      if (!values.includes(payload[name] as string)) throw claimInvalid(`"${name}" claim does not have an expected value`);
    }
  }
}

/**
 * The client a token was issued to: `client_id` (RFC 9068 §2.2), else `azp` (OIDC Core §2,
 * Keycloak), else `cid` (Okta), each only where the ones before it are absent.
 */
function checkClient(payload: Record<string, unknown>, clientIds: readonly string[]): void {
  const name = payload.client_id !== undefined ? 'client_id' : payload.azp !== undefined ? 'azp' : payload.cid !== undefined ? 'cid' : undefined;
  if (name === undefined) {
    throw new AccessTokenError('audience_invalid', 'token names no client ("client_id", "azp" or "cid")');
  }
  const client = payload[name];
  if (typeof client !== 'string') throw claimInvalid(`"${name}" claim must be a string`);
  if (!clientIds.includes(client)) {
    throw new AccessTokenError('audience_invalid', `token was issued to a client ("${name}") this verifier does not accept`);
  }
}

/**
 * With no `audience` configured, `aud` is not required, but one that is present must still be
 * well-formed. An empty array is an absent audience (Ory Hydra sends `"aud": []` when none was
 * requested).
 */
function checkAudienceType(aud: unknown): void {
  if (aud === undefined || typeof aud === 'string') return;
  if (Array.isArray(aud) && aud.every((item) => typeof item === 'string')) return;
  throw claimInvalid('"aud" claim must be a string or an array of strings');
}

function isScopeList(value: unknown): boolean {
  return typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
}

function checkAudience(aud: unknown, audiences: readonly string[]): void {
  if (aud === undefined) throw new AccessTokenError('audience_invalid', 'token has no "aud" claim');
  if (typeof aud === 'string') {
    if (audiences.includes(aud)) return;
  } else if (Array.isArray(aud) && aud.length > 0 && aud.every((item) => typeof item === 'string')) {
    if (aud.some((item: string) => audiences.includes(item))) return;
  } else {
    throw claimInvalid('"aud" claim must be a string or a non-empty array of strings');
  }
  throw new AccessTokenError('audience_invalid', 'token is not intended for this audience');
}
