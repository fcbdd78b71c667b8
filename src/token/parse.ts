import { AccessTokenError } from '../errors.js';
import type { Algorithm } from './algorithms.js';
import { decodeBase64url, decodeJsonObject } from './decode.js';

/** The protected header of a verified token, as the issuer wrote it. */
export interface JwsHeader {
  alg: Algorithm;
  kid?: string;
  typ?: string;
  [parameter: string]: unknown;
}

/**
 * A compact JWS split and decoded, not yet verified: nothing in it is trusted yet. Header and
 * payload are deep-frozen, since once verified they are shared between requests.
 */
export interface ParsedToken {
  readonly header: JwsHeader;
  readonly payload: Record<string, unknown>;
  /** `BASE64URL(header) '.' BASE64URL(payload)`: the bytes the signature covers. */
  readonly signingInput: string;
  readonly signature: Uint8Array;
}

export interface ParseOptions {
  readonly maxTokenLength: number;
  readonly algorithms: ReadonlySet<string>;
  /**
   * Headers already decoded and checked under these options. All tokens signed with one key
   * share a header, so most tokens skip decoding it.
   */
  readonly headers?: KnownHeaders;
}

/** Headers decoded and checked under one set of parse options, by their base64url segment. */
export interface KnownHeaders {
  /** The header whose base64url segment is `segment`. */
  find(segment: string): JwsHeader | undefined;
  add(segment: string, header: JwsHeader): void;
  readonly size: number;
}

// A handful of keys and algorithms per issuer. Past this many distinct headers the oldest
// make way, so a flood of made-up headers costs a decode each, never memory.
const MAX_KNOWN_HEADERS = 16;

/**
 * A short list, not a Map: a Map must hash the segment of every token, which costs more than
 * comparing it with the one or two known ones.
 */
export function createKnownHeaders(): KnownHeaders {
  const segments: string[] = [];
  const headers: JwsHeader[] = [];
  let next = 0;
  return {
    find(segment) {
      for (let i = 0; i < segments.length; i++) {
        if (segments[i] === segment) return headers[i];
      }
      return undefined;
    },
    add(segment, header) {
      segments[next] = segment;
      headers[next] = header;
      next = (next + 1) % MAX_KNOWN_HEADERS;
    },
    get size() {
      return segments.length;
    },
  };
}

// Header parameters whose meaning we implement and may therefore appear in `crit`
// (RFC 7515 §4.1.11). `b64` is understood only so that `b64: false` can be refused clearly.
const UNDERSTOOD_CRITICAL = new Set(['b64']);

const malformed = (message: string): AccessTokenError => new AccessTokenError('token_malformed', message);

/**
 * Splits and decodes a compact JWS without trusting any of it. Checks, in order of cost:
 * type and length (before any decoding), shape, encoding, JSON, then header rules.
 */
export function parseCompactJws(token: unknown, options: ParseOptions): ParsedToken {
  if (typeof token !== 'string') throw malformed('access token must be a string');
  if (token.length === 0) throw malformed('access token is empty');
  if (token.length > options.maxTokenLength) {
    throw malformed(`access token is longer than ${options.maxTokenLength} characters`);
  }
  if (token.charCodeAt(0) === 0x7b /* { */) {
    throw malformed('JWS JSON serialization is not accepted; only compact tokens are');
  }

  const first = token.indexOf('.');
  const second = first === -1 ? -1 : token.indexOf('.', first + 1);
  if (second === -1) throw segmentCountError(token) as AccessTokenError;

  // A dot past the second cannot survive decoding (it is no base64url character), so the count
  // of segments is taken only when decoding fails: the signature is not scanned twice.
  // A slice is a view of the token, and === compares it with a known segment in native code;
  // startsWith compared in compiled JavaScript, character by character, several times slower
  // (bench/README.md, Measured changes).
  const headerSegment = token.slice(0, first);
  const known = options.headers?.find(headerSegment);
  const header = known ?? decodeJsonObject(headerSegment);
  if (header === undefined) throw segmentCountError(token) ?? malformed('token header is not a base64url-encoded JSON object');
  const payload = decodeJsonObject(token.slice(first + 1, second));
  if (payload === undefined) {
    const error = segmentCountError(token);
    if (error !== undefined) throw error;
    if (Object.hasOwn(header, 'enc')) throw malformed('encrypted tokens (JWE) are not accepted');
    throw malformed('token payload is not a base64url-encoded JSON object');
  }
  const signature = decodeBase64url(token.slice(second + 1));
  if (signature === undefined) throw segmentCountError(token) ?? malformed('token signature is not base64url-encoded');

  if (known === undefined) {
    // Shared between tokens from here on; decodeJsonObject froze it, so nobody can change it.
    checkHeader(header, options);
    options.headers?.add(headerSegment, header as JwsHeader);
  }
  return { header: header as JwsHeader, payload, signingInput: token.slice(0, second), signature };
}

/**
 * The error for a token that is not three segments, if it is not: told before whatever else is
 * wrong with it, as the first thing a reader needs to hear.
 */
function segmentCountError(token: string): AccessTokenError | undefined {
  const segments = token.split('.').length;
  if (segments === 3) return undefined;
  if (segments === 5) return malformed('encrypted tokens (JWE) are not accepted');
  return malformed(`access token must have 3 segments, found ${segments}`);
}

function checkHeader(header: Record<string, unknown>, options: ParseOptions): void {
  const { alg } = header;
  if (typeof alg !== 'string') throw malformed('token header has no "alg"');
  if (alg.toLowerCase() === 'none') {
    throw new AccessTokenError('algorithm_not_allowed', 'unsigned tokens (alg "none") are never accepted');
  }
  if (!options.algorithms.has(alg)) {
    throw new AccessTokenError('algorithm_not_allowed', 'token is signed with an algorithm that is not allowed');
  }
  if (Object.hasOwn(header, 'enc')) throw malformed('encrypted tokens (JWE) are not accepted');
  if (header.kid !== undefined && typeof header.kid !== 'string') throw malformed('token header "kid" must be a string');
  if (header.typ !== undefined && typeof header.typ !== 'string') throw malformed('token header "typ" must be a string');
  if (typeof header.cty === 'string' && /^(application\/)?jwt$/i.test(header.cty)) {
    throw malformed('nested tokens (cty "JWT") are not accepted');
  }
  if (header.b64 !== undefined && header.b64 !== true) {
    throw malformed('unencoded payloads (b64: false) are not accepted');
  }
  if (header.crit !== undefined) {
    const { crit } = header;
    if (!Array.isArray(crit) || crit.length === 0) throw malformed('token header "crit" must be a non-empty array');
    const seen = new Set<unknown>();
    for (const name of crit) {
      if (typeof name !== 'string' || seen.has(name) || !Object.hasOwn(header, name)) {
        throw malformed('token header "crit" is invalid');
      }
      seen.add(name);
      if (!UNDERSTOOD_CRITICAL.has(name)) {
        throw malformed('token header "crit" names a parameter that is not supported');
      }
    }
  }
  // `jku`, `x5u`, `jwk` and `x5c` are deliberately ignored: keys come only from the
  // configured issuer's key set, never from the token that is being verified.
}
