// Digests where there is no node:crypto: WebCrypto, asynchronous.
import { base64url, type Digests } from './digest.js';

const encoder = new TextEncoder();
const bytesOf = (input: string | Uint8Array): Uint8Array<ArrayBuffer> =>
  (typeof input === 'string' ? encoder.encode(input) : new Uint8Array(input)) as Uint8Array<ArrayBuffer>;

// An imported HMAC key per secret, so that a nonce check imports nothing.
const hmacKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function hmacKey(secret: Uint8Array): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (key === undefined) {
    key = crypto.subtle.importKey('raw', bytesOf(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    hmacKeys.set(secret, key);
  }
  return key;
}

export const webDigests: Digests = {
  async sha256(input) {
    return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', bytesOf(input))));
  },
  async hmacSha256(secret, input) {
    return base64url(new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), bytesOf(input))));
  },
};
