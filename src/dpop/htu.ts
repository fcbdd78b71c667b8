// The `htu` of a proof against the request it came with (RFC 9449 §4.3 step 9): both compared
// after RFC 3986 §6.2.2 normalisation, without query or fragment. WHATWG URL parsing already
// lower-cases scheme and host, drops the default port and removes dot segments (§6.2.2.1,
// §6.2.2.3, §6.2.3); percent-encodings are normalised here (§6.2.2.1-2).

/** A URL reduced to what a proof names: its origin and its normalised path. */
export interface HttpTarget {
  readonly origin: string;
  readonly path: string;
}

const TRIPLET = /%([0-9A-Fa-f]{2})/g;
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Percent-encodings upper-cased, and decoded where they encode an unreserved character. */
function normalisePercentEncoding(path: string): string {
  return path.replace(TRIPLET, (_triplet, hex: string) => {
    const character = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(character) ? character : `%${hex.toUpperCase()}`;
  });
}

/**
 * Parses an absolute http(s) URL into its target; `undefined` for anything else, and, when
 * `strict` (a proof's `htu`, RFC 9449 §4.2: "without query and fragment parts"), for a URL
 * with a query, a fragment or user information.
 */
export function httpTarget(value: unknown, strict: boolean): HttpTarget | undefined {
  if (typeof value !== 'string' || value.length > 8192) return undefined;
  const remembered = strict ? strictTargets : requestTargets;
  const known = remembered.get(value);
  if (known !== undefined) return known === NOT_A_TARGET ? undefined : known;
  const target = parseTarget(value, strict);
  if (value.length > MAX_REMEMBERED_LENGTH) return target;
  // Forgotten all at once when full: bounded, and cheaper than keeping an order.
  if (remembered.size >= MAX_REMEMBERED) remembered.clear();
  remembered.set(value, target ?? NOT_A_TARGET);
  return target;
}

// Clients call the same few URLs over and over, and each proof names one of them: the targets of
// URLs seen lately are kept, by the exact text, so that most requests parse no URL at all. A
// target is a pure function of the text, so a remembered one is the one parsing would give.
const MAX_REMEMBERED = 256;
const MAX_REMEMBERED_LENGTH = 512;
const NOT_A_TARGET: HttpTarget = Object.freeze({ origin: '', path: '' });
const requestTargets = new Map<string, HttpTarget>();
const strictTargets = new Map<string, HttpTarget>();

function parseTarget(value: string, strict: boolean): HttpTarget | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (strict && (value.includes('?') || value.includes('#') || url.username !== '' || url.password !== '')) return undefined;
  return Object.freeze({ origin: url.origin, path: normalisePercentEncoding(url.pathname) });
}

/**
 * The configured public origins (`dpop.origins`), normalised; `undefined` names the problem
 * with one of them.
 */
export function parseOrigin(value: string): string | undefined {
  const target = httpTarget(value, true);
  if (target === undefined || target.path !== '/' || new URL(value).pathname.length > 1) return undefined;
  return target.origin;
}
