// Reading an introspection answer strictly: a JSON object with a boolean `active` (RFC 7662
// §2.2), or an RFC 9701 JWT carrying one under `token_introspection`, signed by the issuer.
import type { AccessTokenClaims } from '../claims/types.js';
import { normalizeTyp } from '../claims/validate.js';
import { AccessTokenError } from '../errors.js';
import type { KeySource } from '../jwks/remote-key-source.js';
import { parseCompactJws, type JwsHeader, type ParseOptions } from '../token/parse.js';
import type { SignatureStep } from '../token/verify-signature.js';

/** What the issuer said about a token. `jwt` is the RFC 9701 answer itself, when it sent one. */
export type Answer =
  | { readonly active: false }
  | { readonly active: true; readonly claims: AccessTokenClaims; readonly jwt: string | undefined };

// Every set of claims introspection produced, with the RFC 9701 answer it came in (if any), for
// the gateway to forward (phantom tokens). Keyed by the frozen claims object, which the cache
// hands out as it is.
const introspected = new WeakMap<object, { readonly jwt: string | undefined }>();

/** How these claims were learnt: by introspection (with the issuer's JWT answer, if it sent one), or `undefined`. */
export function introspectionOf(claims: object): { readonly jwt: string | undefined } | undefined {
  return introspected.get(claims);
}

/** The issuer's signed RFC 9701 answer that vouched for these claims, when there was one. */
export function responseJwtOf(claims: object): string | undefined {
  return introspected.get(claims)?.jwt;
}

export const INACTIVE: Answer = Object.freeze({ active: false });

/**
 * The header an introspected token is handed to `validate` and the revocation checker with: an
 * opaque token has none, and `alg: 'none'` says no signature of the token was checked (the
 * issuer vouched for it instead). `introspected: true` tells it apart from any JWS header.
 */
export const INTROSPECTED_HEADER: JwsHeader = Object.freeze({ alg: 'none' as JwsHeader['alg'], introspected: true });

/** The media type of an RFC 9701 answer, and its `typ`. */
export const JWT_RESPONSE_TYPE = 'application/token-introspection+jwt';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

/**
 * The answer in an introspection response object. Throws a plain Error for an object that is no
 * introspection response (the caller makes it `introspection_unavailable`), and `issuer_invalid`
 * for an active token of another issuer. Claims are deep-frozen: the cache hands them to many
 * requests. Their types are checked afterwards by the same rules as a JWT's.
 */
export function readAnswer(response: Record<string, unknown>, issuer: string, jwt?: string): Answer {
  const { active } = response;
  if (typeof active !== 'boolean') throw new Error('the answer has no boolean "active"');
  if (!active) return INACTIVE;
  // Copied without `active` rather than deleted from: a delete leaves the object in V8's
  // dictionary mode, slow to read on every cache hit.
  const { active: _active, ...claims } = response;
  if (claims.iss === undefined) claims.iss = issuer;
  else if (claims.iss !== issuer) throw new AccessTokenError('issuer_invalid', 'the introspected token was issued by another issuer');
  for (const name of ['username', 'token_type'] as const) {
    if (claims[name] !== undefined && typeof claims[name] !== 'string') {
      throw new AccessTokenError('claim_invalid', `"${name}" claim must be a string`);
    }
  }
  deepFreeze(claims);
  introspected.set(claims, Object.freeze({ jwt }));
  return { active: true, claims: claims as AccessTokenClaims, jwt };
}

/** What checking an RFC 9701 answer needs. */
export interface JwtAnswerCheck {
  readonly issuer: string;
  /** Who the answer may be addressed to (`aud`): our client id, and this API's audiences. */
  readonly recipients: readonly string[];
  readonly parse: ParseOptions;
  readonly source: () => KeySource;
  readonly verifySignature: SignatureStep;
}

/**
 * Verifies an RFC 9701 answer with the issuer's keys and reads the response inside it. Every
 * failure is a plain Error: a forged or broken answer says nothing about the token.
 */
export async function readJwtAnswer(text: string, check: JwtAnswerCheck): Promise<Answer> {
  let header: JwsHeader;
  let payload: Record<string, unknown>;
  try {
    const parsed = parseCompactJws(text.trim(), check.parse);
    header = parsed.header;
    payload = parsed.payload;
    if (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== 'token-introspection+jwt') {
      throw new Error('its "typ" is not token-introspection+jwt');
    }
    const source = check.source();
    const found = source.getKeys(header.alg, header.kid);
    const verified = check.verifySignature(parsed, Array.isArray(found) ? found : await found);
    if (verified instanceof Promise) await verified;
  } catch (error) {
    throw new Error(`the JWT answer does not verify: ${(error as Error).message}`, { cause: error });
  }
  if (payload.iss !== check.issuer) throw new Error('the JWT answer names another "iss"');
  const aud = payload.aud;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.some((item) => check.recipients.includes(item as string))) throw new Error('the JWT answer is addressed to another "aud"');
  const inner = payload.token_introspection;
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) throw new Error('the JWT answer has no "token_introspection" object');
  return readAnswer(inner as Record<string, unknown>, check.issuer, text.trim());
}
