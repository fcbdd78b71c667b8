// Strict parsing of a compact JWE (RFC 7516 §7.1), with every size and header rule checked
// before any key is touched: five segments, bounded lengths, canonical base64url, a JSON header
// without duplicate members, `alg` and `enc` in their allowlists, no `zip`, no `crit`, a JWT
// content type, and IV and tag of the exact lengths `enc` demands (a truncated tag is refused).
import { AccessTokenError } from '../errors.js';
import { decodeBase64url, decodeJsonObject } from '../token/decode.js';
import {
  CONTENT_ENCRYPTION_SPECS,
  KEY_MANAGEMENT_SPECS,
  isContentEncryptionAlgorithm,
  isKeyManagementAlgorithm,
  type ContentEncryptionAlgorithm,
  type KeyManagementAlgorithm,
} from './algorithms.js';

/** The protected header of an encrypted token, checked. */
export interface JweHeader {
  readonly alg: KeyManagementAlgorithm;
  readonly enc: ContentEncryptionAlgorithm;
  readonly kid?: string;
  readonly cty: string;
  readonly [parameter: string]: unknown;
}

export interface ParsedJwe {
  readonly header: JweHeader;
  /** Decoded encrypted key: empty for `dir` and `ECDH-ES`. */
  readonly encryptedKey: Uint8Array;
}

export interface JweLimits {
  /** Longest inner JWS, in characters: the ciphertext may not be longer (a block more for CBC). */
  readonly maxContentLength: number;
  readonly algorithms: ReadonlySet<string>;
  readonly encryptions: ReadonlySet<string>;
}

// An RSA-OAEP key of 8192 bits wraps to 1024 bytes; nothing legitimate is longer.
const MAX_ENCRYPTED_KEY_CHARS = 1366;
// alg, enc, kid, cty and an epk of P-521 with room to spare; replicated claims (iss, aud) too.
const MAX_HEADER_CHARS = 4096;

/** The longest compact JWE whose content fits `maxContentLength`: checked before any decoding. */
export function maxJweLength(maxContentLength: number): number {
  return MAX_HEADER_CHARS + MAX_ENCRYPTED_KEY_CHARS + Math.ceil(((maxContentLength + 16) * 4) / 3) + 64 + 4;
}

const malformed = (message: string): AccessTokenError => new AccessTokenError('token_malformed', message);
const notAllowed = (message: string): AccessTokenError =>
  new AccessTokenError('algorithm_not_allowed', message, { description: 'The access token is encrypted with an algorithm that is not allowed' });

// RFC 7516 §4.1.12 and RFC 7519 §5.2: "JWT", or a media type ending in +jwt (RFC 6839), such as
// oidc-provider's "at+jwt"; compared case-insensitively, "application/" optional (RFC 7515 §4.1.10).
const JWT_CONTENT = /^(?:application\/)?(?:[a-z0-9!#$&^_.-]+\+)?jwt$/i;

function bytes(segment: string, what: string): Uint8Array {
  const decoded = decodeBase64url(segment);
  if (decoded === undefined) throw malformed(`encrypted token ${what} is not base64url-encoded`);
  return decoded;
}

/** True when `token` has the five segments of a compact JWE (and so is not a JWS). */
export function isCompactJwe(token: string): boolean {
  let dots = 0;
  for (let at = token.indexOf('.'); at !== -1; at = token.indexOf('.', at + 1)) if (++dots > 4) return false;
  return dots === 4;
}

/** Splits and checks a compact JWE without decrypting anything. */
export function parseCompactJwe(token: string, limits: JweLimits): ParsedJwe {
  if (token.length > maxJweLength(limits.maxContentLength)) throw malformed('encrypted token is too long');
  // Five segments exactly: the one format there is (RFC 7516 §7.1).
  if (!isCompactJwe(token)) throw malformed('encrypted token must have 5 segments');
  const [headerSegment, keySegment, ivSegment, ciphertextSegment, tagSegment] = token.split('.') as [string, string, string, string, string];
  if (headerSegment.length > MAX_HEADER_CHARS) throw malformed('encrypted token header is too long');
  const header = decodeJsonObject(headerSegment);
  if (header === undefined) throw malformed('encrypted token header is not a base64url-encoded JSON object');

  const { alg, enc } = header;
  if (typeof alg !== 'string' || typeof enc !== 'string') throw malformed('encrypted token header needs "alg" and "enc"');
  if (!isKeyManagementAlgorithm(alg) || !limits.algorithms.has(alg)) throw notAllowed('token is encrypted with a key management algorithm that is not allowed');
  if (!isContentEncryptionAlgorithm(enc) || !limits.encryptions.has(enc)) throw notAllowed('token is encrypted with a content encryption algorithm that is not allowed');
  if (header.zip !== undefined) throw malformed('compressed encrypted tokens (zip) are not accepted');
  if (header.crit !== undefined) throw malformed('encrypted token header "crit" names a parameter that is not supported');
  if (header.kid !== undefined && typeof header.kid !== 'string') throw malformed('encrypted token header "kid" must be a string');
  if (typeof header.cty !== 'string' || !JWT_CONTENT.test(header.cty)) {
    throw malformed('encrypted token content must be a signed JWT (cty "JWT" or a JWT media type)');
  }
  // `jku`, `jwk`, `x5u` and `x5c` are ignored: the keys are ours, never the token's to name.

  const spec = CONTENT_ENCRYPTION_SPECS[enc];
  if (keySegment.length > MAX_ENCRYPTED_KEY_CHARS) throw malformed('encrypted token key is too long');
  const encryptedKey = bytes(keySegment, 'key');
  if (KEY_MANAGEMENT_SPECS[alg].direct !== (encryptedKey.length === 0)) {
    throw malformed(`encrypted token key must be ${KEY_MANAGEMENT_SPECS[alg].direct ? 'empty' : 'present'} for its "alg"`);
  }
  // AES key wrap (RFC 3394) adds 8 bytes to the key it wraps; AES-GCM key wrap adds none.
  const wrapped = alg.endsWith('GCMKW') ? spec.keyBytes : alg.endsWith('KW') ? spec.keyBytes + 8 : undefined;
  if (wrapped !== undefined && encryptedKey.length !== wrapped) throw malformed('encrypted token key has the wrong length');
  if (bytes(ivSegment, 'IV').length !== spec.ivBytes) throw malformed('encrypted token IV has the wrong length');
  if (bytes(tagSegment, 'authentication tag').length !== spec.tagBytes) throw malformed('encrypted token authentication tag has the wrong length');
  const ciphertext = bytes(ciphertextSegment, 'ciphertext');
  if (ciphertext.length === 0 || ciphertext.length > limits.maxContentLength + (spec.blocks ? 16 : 0)) {
    throw malformed('encrypted token content is empty or longer than maxTokenLength');
  }
  if (spec.blocks && ciphertext.length % 16 !== 0) throw malformed('encrypted token ciphertext is not a whole number of blocks');
  if (alg.endsWith('GCMKW')) {
    if (typeof header.iv !== 'string' || bytes(header.iv, 'key IV').length !== 12) throw malformed('encrypted token header "iv" is invalid');
    if (typeof header.tag !== 'string' || bytes(header.tag, 'key tag').length !== 16) throw malformed('encrypted token header "tag" is invalid');
  }
  return { header: header as JweHeader, encryptedKey };
}
