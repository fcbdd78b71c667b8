// Opening an encrypted access token: the strict parse, the choice of our keys to try, then
// jose's compactDecrypt under allowlists of exactly the token's (already allowed) `alg` and
// `enc`. What comes out is the inner JWS text, which the verifier then verifies like any token.
// Every cryptographic failure reads the same, so that no answer tells an attacker which step
// failed (RSA-OAEP unpadding or the tag: Manger's attack needs that difference).
import { AccessTokenError } from '../errors.js';
import { decodeBase64url } from '../token/decode.js';
import { CONTENT_ENCRYPTION_SPECS } from './algorithms.js';
import { coordinateBytes, isOnCurve } from './ec-point.js';
import type { DecryptionKey } from './keys.js';
import type { ResolvedDecryption } from './options.js';
import { isCompactJwe, maxJweLength, parseCompactJwe, type JweLimits, type ParsedJwe } from './parse.js';

/** Decrypts encrypted tokens; anything else passes through untouched. */
export interface TokenDecryptor {
  /**
   * The inner JWS of a compact JWE, or `token` itself (synchronously) when it is not one. Rejects
   * with `token_malformed`, `algorithm_not_allowed` or `token_decryption_failed`.
   */
  open(token: string): string | Promise<string>;
}

type Jose = typeof import('jose');
// Loaded on the first encrypted token: jose is an ES module, and loading it lazily keeps
// CommonJS users who never see a JWE (Jest without ES modules) free of it.
let jose: Promise<Jose> | undefined;

const failed = (message: string): AccessTokenError => new AccessTokenError('token_decryption_failed', message);
const malformed = (message: string): AccessTokenError => new AccessTokenError('token_malformed', message);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Our keys the token may be for: by kid when it names one we know of, else by its `alg`. */
export function candidateKeys(settings: ResolvedDecryption, parsed: ParsedJwe): DecryptionKey[] {
  const { alg, enc, kid } = parsed.header;
  const byKid = kid !== undefined && settings.kids;
  return settings.keys.filter(
    (key) =>
      key.alg === alg &&
      (!byKid || key.kid === kid) &&
      (key.modulusBytes === undefined || parsed.encryptedKey.length === key.modulusBytes) &&
      (alg !== 'dir' || key.secretBytes === CONTENT_ENCRYPTION_SPECS[enc].keyBytes),
  );
}

/** Refuses an ephemeral key that is not a public point of the key's own curve. */
function checkEphemeralKey(epk: unknown, crv: string): void {
  const size = coordinateBytes(crv) as number;
  if (typeof epk !== 'object' || epk === null || Array.isArray(epk)) throw malformed('encrypted token header "epk" is missing or not an object');
  const { kty, crv: epkCurve, x, y, d } = epk as Record<string, unknown>;
  if (kty !== 'EC' || epkCurve !== crv || d !== undefined) throw malformed('encrypted token header "epk" is not a public key of the key\'s curve');
  const X = typeof x === 'string' ? decodeBase64url(x) : undefined;
  const Y = typeof y === 'string' ? decodeBase64url(y) : undefined;
  if (X === undefined || Y === undefined || X.length !== size || !isOnCurve(crv, X, Y)) {
    throw malformed('encrypted token header "epk" is not a point of its curve');
  }
}

export function createTokenDecryptor(settings: ResolvedDecryption, maxTokenLength: number): TokenDecryptor {
  const limits: JweLimits = { maxContentLength: maxTokenLength, algorithms: settings.algorithms, encryptions: settings.encryptions };
  const maxLength = maxJweLength(maxTokenLength);

  async function decrypt(token: string, parsed: ParsedJwe, keys: readonly DecryptionKey[]): Promise<string> {
    const { alg, enc } = parsed.header;
    const { compactDecrypt } = await (jose ??= import('jose'));
    const options = { keyManagementAlgorithms: [alg], contentEncryptionAlgorithms: [enc], maxDecompressedLength: 0 };
    for (const key of keys) {
      let plaintext: Uint8Array;
      try {
        ({ plaintext } = await compactDecrypt(token, key.material, options));
      } catch {
        continue;
      }
      if (plaintext.length > maxTokenLength) throw malformed(`decrypted token is longer than ${maxTokenLength} characters`);
      try {
        return utf8.decode(plaintext);
      } catch {
        throw malformed('decrypted token is not UTF-8 text');
      }
    }
    throw failed('token does not decrypt with the configured keys');
  }

  return {
    open(token) {
      // Anything too long for a JWE is left to the JWS parse, which refuses it before scanning it.
      if (typeof token !== 'string' || token.length > maxLength || !isCompactJwe(token)) return token;
      const parsed = parseCompactJwe(token, limits);
      const keys = candidateKeys(settings, parsed);
      if (keys.length === 0) {
        throw failed(parsed.header.kid !== undefined && settings.kids ? 'no decryption key matches the token\'s "kid"' : 'no decryption key fits the token\'s "alg" and "enc"');
      }
      for (const key of keys) if (key.crv !== undefined) checkEphemeralKey(parsed.header.epk, key.crv);
      return decrypt(token, parsed, keys);
    },
  };
}
