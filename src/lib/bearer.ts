// Where a request's access token is read from (RFC 6750 §2): the Authorization header, and an
// opt-in cookie for browser-facing services. Never the query string: tokens in URLs end up in
// logs, browser history and Referer headers. Framework-agnostic: adapters hand over the raw
// header values.

/** What a request carries, as far as access tokens go. */
export type Extraction =
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'none' }
  /** Two tokens (repeated header, or header and cookie): RFC 6750 §3.1 invalid_request. */
  | { readonly kind: 'multiple' }
  /** A Bearer credential that does not follow `Bearer 1*SP b64token`. */
  | { readonly kind: 'malformed' };

/** Header values as frameworks hand them over: one string, several, or nothing. */
export type HeaderValue = string | readonly string[] | null | undefined;

const NONE: Extraction = Object.freeze({ kind: 'none' });
const MULTIPLE: Extraction = Object.freeze({ kind: 'multiple' });
const MALFORMED: Extraction = Object.freeze({ kind: 'malformed' });

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
// The auth-scheme is case-insensitive (RFC 9110 §11.1); a credential is the scheme, then
// whitespace and the token, or the scheme alone.
const BEARER_SCHEME = /^bearer(?:[ \t]|$)/i;
const MENTIONS_BEARER = /(?:^|,)[ \t]*bearer(?:[ \t]|,|$)/i;

// The token last found to be a b64token. A Node adapter reads a request's Authorization header
// twice (for its scheme, ../dpop/headers.ts, and for its bearer token, here); matching the
// pattern means scanning the whole token, and comparing it with the one just scanned costs less.
// It keeps the last token read in memory until the next one replaces it.
let lastB64token: string | undefined;

/** Whether `text` is an RFC 6750 b64token. */
export function isB64token(text: string): boolean {
  if (text === lastB64token) return true;
  if (!B64TOKEN.test(text)) return false;
  lastB64token = text;
  return true;
}
// RFC 6265 cookie-name is an RFC 9110 token.
export const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function toList(value: HeaderValue): readonly string[] {
  if (value === null || value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

/**
 * Bearer tokens in Authorization header values. Repeated headers arrive either as several
 * values (Node's `rawHeaders`) or joined with commas (fetch `Headers`); a b64token never
 * contains a comma, so both forms are recognised. Values of other schemes are ignored.
 */
function headerTokens(values: readonly string[], found: string[]): boolean {
  let malformed = false;
  for (const value of values) {
    if (!MENTIONS_BEARER.test(value)) continue;
    // A value that holds a Bearer credential must hold nothing else: "Basic x, Bearer y" is
    // two credentials for one request. Most values hold one: splitting them would scan a whole
    // token for a comma that `includes` finds faster.
    for (const part of value.includes(',') ? value.split(',') : [value]) {
      const credential = part.trim();
      if (!BEARER_SCHEME.test(credential)) {
        malformed = true;
        continue;
      }
      // What follows the scheme's whitespace, with surrounding whitespace dropped.
      const token = credential.slice('bearer'.length).trim();
      if (isB64token(token)) found.push(token);
      else malformed = true;
    }
  }
  return malformed;
}

/**
 * Values of the cookie `name` in Cookie header values. Pairs are separated by `;` (and by
 * `,` when a runtime joined several Cookie headers); RFC 6265 cookie values contain neither.
 */
function cookieTokens(values: readonly string[], name: string, found: string[]): void {
  for (const value of values) {
    for (const pair of value.split(/[;,]/)) {
      const eq = pair.indexOf('=');
      if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
      let token = pair.slice(eq + 1).trim();
      if (token.length >= 2 && token.startsWith('"') && token.endsWith('"')) token = token.slice(1, -1);
      // An emptied cookie (how a logout clears it) is no token at all.
      if (token !== '') found.push(token);
    }
  }
}

/**
 * Reads the access token of a request from its Authorization header values and, when
 * `cookieName` is set, its Cookie header values.
 */
export function extractBearer(authorization: HeaderValue, cookie: HeaderValue, cookieName: string | undefined): Extraction {
  const found: string[] = [];
  const malformed = headerTokens(toList(authorization), found);
  if (cookieName !== undefined) cookieTokens(toList(cookie), cookieName, found);
  if (found.length > 1) return MULTIPLE;
  if (malformed) return MALFORMED;
  const [token] = found;
  return token === undefined ? NONE : { kind: 'token', token };
}
