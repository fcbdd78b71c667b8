// The hashing DPoP and certificate binding need: SHA-256 for `ath` (RFC 9449 §4.2), JWK
// thumbprints (RFC 7638 §3) and certificate thumbprints (RFC 8705 §3.1), and HMAC-SHA-256 for
// stateless nonces. Each runtime brings its own (src/runtime/): node:crypto synchronously on
// Node, WebCrypto (asynchronous) elsewhere. Callers await only what is a promise.

/** SHA-256 and HMAC-SHA-256, answered as unpadded base64url. */
export interface Digests {
  /** base64url(SHA-256(input)); a string is hashed as its UTF-8 bytes. */
  sha256(input: string | Uint8Array): string | Promise<string>;
  /** base64url(HMAC-SHA-256(key, input)). */
  hmacSha256(key: Uint8Array, input: string): string | Promise<string>;
}

/** Unpadded base64url of `bytes`, without Buffer. */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Compares two strings in time that depends on their length only, for values an attacker
 * tries to guess (a nonce's MAC).
 */
export function equalInConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
