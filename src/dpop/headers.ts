import { isB64token } from '../lib/bearer.js';

// Reading a request's headers whichever form they come in: a web `Headers` (which joins a
// repeated header with ", ") or a record with lower-case names (Node's `req.headers`, which
// joins unknown repeated headers the same way, or arrays).

/** A request's headers: a web `Headers`, or a record of lower-case names. */
export type RequestHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Every value of header `name` (lower-case), split where a runtime joined repeated headers. */
export function headerValues(headers: RequestHeaders, name: string): string[] {
  let raw: string | readonly string[] | null | undefined;
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function') {
    raw = (headers as Headers).get(name);
  } else {
    raw = (headers as Record<string, string | readonly string[] | undefined>)[name];
  }
  if (raw === null || raw === undefined) return [];
  const list = typeof raw === 'string' ? [raw] : raw;
  const values: string[] = [];
  for (const value of list) {
    if (typeof value !== 'string') continue;
    // Most values hold one part: splitting them would copy a whole token for nothing.
    if (!value.includes(',')) values.push(value.trim());
    else for (const part of value.split(',')) values.push(part.trim());
  }
  return values;
}

/** The credential of an Authorization header: which scheme carried which token. */
export type Credential =
  | { readonly kind: 'token'; readonly scheme: 'Bearer' | 'DPoP'; readonly token: string }
  | { readonly kind: 'none' | 'multiple' | 'malformed' };

const NONE: Credential = Object.freeze({ kind: 'none' });
const MULTIPLE: Credential = Object.freeze({ kind: 'multiple' });
const MALFORMED: Credential = Object.freeze({ kind: 'malformed' });
// RFC 9449 §7.1 and RFC 6750 §2.1: the scheme (case-insensitive, RFC 9110 §11.1), then
// whitespace and a b64token.
const TOKEN_SCHEME = /^(?:bearer|dpop)(?:[ \t]|$)/i;
const DPOP_SCHEME = /^dpop/i;

/**
 * The Bearer or DPoP credential among Authorization header values. Credentials of other
 * schemes are ignored; two Bearer/DPoP credentials are `multiple`, one that is not
 * `scheme 1*SP b64token` is `malformed`.
 */
export function readCredential(values: readonly string[]): Credential {
  let found: Credential = NONE;
  for (const value of values) {
    if (!TOKEN_SCHEME.test(value)) continue;
    if (found !== NONE) return MULTIPLE;
    const scheme = DPOP_SCHEME.test(value) ? 'DPoP' : 'Bearer';
    const token = afterWhitespace(value, scheme.length);
    if (token === undefined || !isB64token(token)) return MALFORMED;
    found = { kind: 'token', scheme, token };
  }
  return found;
}

/** The rest of `value` after the spaces and tabs at `from`, or `undefined` when there are none. */
function afterWhitespace(value: string, from: number): string | undefined {
  let start = from;
  while (value.charCodeAt(start) === 0x20 || value.charCodeAt(start) === 0x09) start++;
  return start === from ? undefined : value.slice(start);
}
