import { flattenedVerify, importJWK, type CryptoKey } from 'jose';
import type { Algorithm } from './algorithms.js';
import type { PublicJwk, SignatureRuntime } from './signature.js';

/** What the jose path keeps per key: the JWK, and a WebCrypto import per algorithm. */
interface JoseKeyHandle {
  readonly jwk: PublicJwk;
  readonly imported: Map<Algorithm, Promise<CryptoKey>>;
}

function toBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The portable path for runtimes without node:crypto (edge, workers, Deno): jose over
 * WebCrypto. WebCrypto binds a key to one algorithm, so each alg is imported on first use.
 * It is also the reference the Node fast path is tested against.
 */
export const joseSignatures: SignatureRuntime = {
  importKey: (jwk): JoseKeyHandle => ({ jwk, imported: new Map() }),

  async verify(alg, key, signingInput, signature) {
    const handle = key.handle as JoseKeyHandle;
    let cryptoKey = handle.imported.get(alg);
    if (cryptoKey === undefined) {
      cryptoKey = importJWK({ ...handle.jwk }, alg) as Promise<CryptoKey>;
      handle.imported.set(alg, cryptoKey);
    }
    const dot = signingInput.indexOf('.');
    try {
      await flattenedVerify(
        { protected: signingInput.slice(0, dot), payload: signingInput.slice(dot + 1), signature: toBase64url(signature) },
        await cryptoKey,
        { algorithms: [alg] },
      );
      return true;
    } catch {
      return false;
    }
  },
};
