import { flattenedVerify, importJWK, type CryptoKey } from 'jose';
import type { Algorithm } from './algorithms.js';
import type { SignatureRuntime } from './signature.js';

/** What the jose path keeps per key: a WebCrypto key per algorithm it may verify. */
type JoseKeyHandle = ReadonlyMap<Algorithm, CryptoKey>;

function toBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The portable path for runtimes without node:crypto (edge, workers, Deno): jose over
 * WebCrypto. WebCrypto binds a key to one algorithm, so a key is imported once per alg it
 * may verify, at key-set import time: key material WebCrypto rejects (a point off the curve)
 * makes the key unusable here exactly as node:crypto does on Node. It is also the reference
 * the Node fast path is tested against.
 */
export const joseSignatures: SignatureRuntime = {
  async importKey(jwk, algorithms): Promise<JoseKeyHandle> {
    const imported = new Map<Algorithm, CryptoKey>();
    for (const alg of algorithms) imported.set(alg, (await importJWK({ ...jwk }, alg)) as CryptoKey);
    return imported;
  },

  async verify(alg, key, signingInput, signature) {
    const cryptoKey = (key.handle as JoseKeyHandle).get(alg);
    if (cryptoKey === undefined) return false;
    const dot = signingInput.indexOf('.');
    try {
      await flattenedVerify(
        { protected: signingInput.slice(0, dot), payload: signingInput.slice(dot + 1), signature: toBase64url(signature) },
        cryptoKey,
        { algorithms: [alg] },
      );
      return true;
    } catch {
      return false;
    }
  },
};
