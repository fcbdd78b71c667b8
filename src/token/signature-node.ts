import { Buffer } from 'node:buffer';
import { constants, createPublicKey, verify, type JsonWebKey, type KeyObject, type VerifyKeyObjectInput } from 'node:crypto';
import { ALGORITHM_SPECS, type Algorithm } from './algorithms.js';
import { MAX_DER_SIGNATURE_LENGTH, writeDerSignature } from './ecdsa-der.js';
import type { SignatureRuntime, VerificationKey } from './signature.js';

/** How node:crypto is called for one alg and key. */
interface VerifyCall {
  readonly digest: string | null;
  /** The key, with its padding for RSA-PSS. */
  readonly key: KeyObject | VerifyKeyObjectInput;
  /** ECDSA: the R||S signature goes to node:crypto re-encoded as DER (see ./ecdsa-der.ts). */
  readonly der: boolean;
}

/** node:crypto's arguments for `alg`: digest, and the key with its padding or encoding. */
function verifyArguments(alg: Algorithm, keyObject: KeyObject): VerifyCall {
  const spec = ALGORITHM_SPECS[alg];
  switch (spec.family) {
    case 'RSA':
      return { digest: spec.hash as string, key: keyObject, der: false };
    case 'RSA-PSS':
      // RFC 7518 §3.5: the salt is exactly as long as the digest.
      return {
        digest: spec.hash as string,
        key: { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
        der: false,
      };
    case 'EC':
      return { digest: spec.hash as string, key: keyObject, der: true };
    case 'OKP':
      return { digest: null, key: keyObject, der: false };
  }
}

// Where an ECDSA signature's DER is written: the calling thread's verify reads it before
// returning, so one buffer serves every call; the thread pool gets a copy of its own.
const derScratch = Buffer.alloc(MAX_DER_SIGNATURE_LENGTH);
const derOf = (signature: Uint8Array): Buffer => derScratch.subarray(0, writeDerSignature(signature, derScratch));

/** The per-alg arguments are built once per key, not per verification. */
interface NodeKeyHandle {
  readonly calls: ReadonlyMap<Algorithm, VerifyCall>;
}

function callFor(key: VerificationKey, alg: Algorithm): VerifyCall | undefined {
  return (key.handle as NodeKeyHandle).calls.get(alg);
}

/**
 * The Node fast path: node:crypto KeyObjects, imported once per key. `verify` runs on the
 * calling thread (cheapest for one verification at a time); `verifyInBackground` uses the
 * libuv thread pool, so concurrent verifications spread over every core.
 */
export const nodeSignatures: SignatureRuntime = {
  importKey(jwk, algorithms): NodeKeyHandle {
    const keyObject = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    return { calls: new Map([...algorithms].map((alg) => [alg, verifyArguments(alg, keyObject)])) };
  },

  verify(alg, key, signingInput, signature) {
    const call = callFor(key, alg);
    if (call === undefined) return false;
    try {
      // The signing input is base64url text, so latin1 is a lossless byte-for-byte reading.
      // One-shot crypto.verify rather than a streaming Verify: the stream costs more instructions
      // and heap per call (figures in bench/README.md). An ECDSA signature of impossible length
      // encodes as nothing, which never verifies.
      return verify(call.digest, Buffer.from(signingInput, 'latin1'), call.key, call.der ? derOf(signature) : signature);
    } catch {
      return false;
    }
  },

  verifyInBackground(alg, key, signingInput, signature) {
    const call = callFor(key, alg);
    if (call === undefined) return Promise.resolve(false);
    return new Promise((resolve) => {
      try {
        // The thread pool reads the signature after this returns: the DER gets a buffer of its own.
        const bytes = call.der ? Buffer.from(derOf(signature)) : signature;
        verify(call.digest, Buffer.from(signingInput, 'latin1'), call.key, bytes, (error, valid) => resolve(!error && valid));
      } catch {
        resolve(false);
      }
    });
  },
};
