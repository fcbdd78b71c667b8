// Key pairs and signers for the test issuer and test DPoP clients, through node:crypto alone: jose
// 6 is an ES module, which a CommonJS test runner (Jest) cannot require, and the testing helpers
// must load wherever their users' tests run.
import { constants, generateKeyPair, type KeyObject, type SignKeyObjectInput } from 'node:crypto';
import { ALGORITHM_SPECS, type Algorithm } from '../token/algorithms.js';

/** A new key pair fit for `alg` (RSA 2048, the alg's curve, or Ed25519). */
export function newKeyPair(alg: Algorithm): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  const spec = ALGORITHM_SPECS[alg];
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, publicKey: KeyObject, privateKey: KeyObject): void =>
      error ? reject(error) : resolve({ publicKey, privateKey });
    if (spec.kty === 'RSA') generateKeyPair('rsa', { modulusLength: 2048 }, done);
    else if (spec.kty === 'EC') generateKeyPair('ec', { namedCurve: spec.curves[0] as string }, done);
    else generateKeyPair('ed25519', undefined, done);
  });
}

/** The private key with what node:crypto needs to sign for `alg`: PSS padding, or R||S for ECDSA (JWS). */
export function signerFor(alg: Algorithm, privateKey: KeyObject): KeyObject | SignKeyObjectInput {
  const { family } = ALGORITHM_SPECS[alg];
  if (family === 'RSA-PSS') return { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  if (family === 'EC') return { key: privateKey, dsaEncoding: 'ieee-p1363' };
  return privateKey;
}
