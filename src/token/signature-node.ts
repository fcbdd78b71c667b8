import { constants, createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { ALGORITHM_SPECS } from './algorithms.js';
import type { SignatureRuntime } from './signature.js';

/** The Node fast path: node:crypto KeyObjects, verified synchronously without WebCrypto. */
export const nodeSignatures: SignatureRuntime = {
  importKey: (jwk) => createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }),

  verify(alg, key, signingInput, signature) {
    const spec = ALGORITHM_SPECS[alg];
    const keyObject = key.handle as KeyObject;
    // The signing input is base64url text, so latin1 is a lossless byte-for-byte copy.
    const data = Buffer.from(signingInput, 'latin1');
    try {
      switch (spec.family) {
        case 'RSA':
          return verify(spec.hash, data, keyObject, signature);
        case 'RSA-PSS':
          // RFC 7518 §3.5: the salt is exactly as long as the digest.
          return verify(
            spec.hash,
            data,
            { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
            signature,
          );
        case 'EC':
          // JWS carries ECDSA signatures as fixed-length R||S (RFC 7518 §3.4), never DER.
          return verify(spec.hash, data, { key: keyObject, dsaEncoding: 'ieee-p1363' }, signature);
        case 'OKP':
          return verify(null, data, keyObject, signature);
      }
    } catch {
      return false;
    }
  },
};
