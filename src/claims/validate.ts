import { AccessTokenError } from '../errors.js';
import type { JwsHeader } from '../token/parse.js';

/** The claim rules of one verifier, resolved from its options once. */
export interface ClaimRules {
  readonly audiences: readonly string[];
  /** Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. */
  readonly clockTolerance: number;
  readonly maxTokenAge: number | undefined;
  /** Expected `typ`, already normalised by {@link normalizeTyp}. */
  readonly typ: string | undefined;
  readonly requiredClaims: readonly string[];
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

/**
 * Picks the entry for the token's `iss` among the configured issuers. Runs before the
 * signature check because the issuer decides which key set to use; the unverified `iss` can
 * only ever choose among configured issuers, never name a URL.
 */
export function selectIssuer<T>(payload: Record<string, unknown>, byIssuer: ReadonlyMap<string, T>): T {
  const { iss } = payload;
  if (iss === undefined) throw new AccessTokenError('issuer_invalid', 'token has no "iss" claim');
  if (typeof iss !== 'string') throw claimInvalid('"iss" claim must be a string');
  const entry = byIssuer.get(iss);
  if (entry === undefined) {
    throw new AccessTokenError('issuer_invalid', 'token was issued by an issuer this verifier does not trust');
  }
  return entry;
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
  if (rules.maxTokenAge !== undefined) {
    if (iat === undefined) throw claimInvalid('token has no "iat" claim, which maxTokenAge requires');
    if (now - iat > rules.maxTokenAge + tolerance) {
      throw new AccessTokenError('token_expired', 'token is older than maxTokenAge');
    }
  }

  checkAudience(payload.aud, rules.audiences);

  // RFC 9068 §2.2 registers these as strings; a guard or a store reading another type would
  // otherwise decide on something the issuer never meant (`client_id: ["a"]` passing a check).
  if (payload.sub !== undefined && typeof payload.sub !== 'string') throw claimInvalid('"sub" claim must be a string');
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
