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
// RFC 9449 §7.1 and RFC 6750 §2.1: the scheme (case-insensitive, RFC 9110 §11.1), then a b64token.
const CREDENTIAL = /^(bearer|dpop)(?:[ \t]+([A-Za-z0-9\-._~+/]+=*))?$/i;
const TOKEN_SCHEME = /^(?:bearer|dpop)(?:[ \t]|$)/i;

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
    const match = CREDENTIAL.exec(value);
    if (match === null || match[2] === undefined) return MALFORMED;
    found = { kind: 'token', scheme: (match[1] as string).toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer', token: match[2] };
  }
  return found;
}
