import { constants, verify, type KeyObject } from 'node:crypto';
import { ALGORITHM_SPECS, type Algorithm } from './algorithms.js';

/** A public key from the key set, imported once per fetch and ready to verify with. */
export interface VerificationKey {
  readonly kid: string | undefined;
  /** The algorithms this key may verify: its JWK `alg`, or every allowed one its type fits. */
  readonly algorithms: ReadonlySet<Algorithm>;
  readonly keyObject: KeyObject;
  /** RSA modulus length in bytes: an RSA signature must be exactly this long. */
  readonly modulusBytes: number | undefined;
}

/**
 * Checks `signature` over `signingInput` with node:crypto. Returns false, never throws, for
 * any signature that does not verify, including ones of the wrong length or encoding.
 */
export function verifySignature(
  alg: Algorithm,
  key: VerificationKey,
  signingInput: string,
  signature: Uint8Array,
): boolean {
  const spec = ALGORITHM_SPECS[alg];
  if (!key.algorithms.has(alg)) return false;
  if (spec.signatureLength !== undefined && signature.length !== spec.signatureLength) return false;
  if (key.modulusBytes !== undefined && signature.length !== key.modulusBytes) return false;
  // The signing input is base64url text, so latin1 is a lossless byte-for-byte copy.
  const data = Buffer.from(signingInput, 'latin1');
  try {
    switch (spec.family) {
      case 'RSA':
        return verify(spec.hash, data, key.keyObject, signature);
      case 'RSA-PSS':
        // RFC 7518 §3.5: the salt is exactly as long as the digest.
        return verify(
          spec.hash,
          data,
          { key: key.keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
          signature,
        );
      case 'EC':
        // JWS carries ECDSA signatures as fixed-length R||S (RFC 7518 §3.4), never DER.
        return verify(spec.hash, data, { key: key.keyObject, dsaEncoding: 'ieee-p1363' }, signature);
      case 'OKP':
        return verify(null, data, key.keyObject, signature);
    }
  } catch {
    return false;
  }
}
