// The signature step of the token's path: which of the issuer's candidate keys verifies a token,
// and on which thread. Alone, a signature is cheapest checked on the calling thread; while other
// verifications are in flight, the libuv thread pool lets every core work on signatures.
import { AccessTokenError } from '../errors.js';
import type { ParsedToken } from './parse.js';
import { hasExpectedShape, type SignatureRuntime, type VerificationKey } from './signature.js';

/**
 * Checks the signature of a parsed token against the candidate keys of its issuer, in order, and
 * answers with the first key that verifies it; throws (or rejects with) `signature_invalid` when
 * none does. A key whose algorithm binding or signature length does not fit
 * ({@link hasExpectedShape}) is skipped without any cryptography.
 *
 * The answer is synchronous when the runtime answers synchronously and nothing had to wait, and
 * a promise otherwise: callers await it only when it is one.
 */
export type SignatureStep = (token: ParsedToken, keys: readonly VerificationKey[]) => VerificationKey | Promise<VerificationKey>;

// Settled from the start: a callback chained on it runs at the next microtask, which is the yield.
const SETTLED = Promise.resolve();
const NO_KEYS: readonly VerificationKey[] = [];

/**
 * The signature step over one runtime, with its own count of verifications in flight (one per
 * verifier). A verification that finds itself alone yields once before choosing, because all
 * that ran before it was synchronous: verifications started in the same tick have not reached
 * this step yet, and must be counted first. With company it goes to the thread pool, as does the
 * company; still alone after the yield, it verifies on the calling thread. A runtime without a
 * thread pool (jose over WebCrypto) verifies every signature where it is asked, without a yield.
 *
 * @example
 * ```ts
 * const verifySignature = createSignatureStep(nodeSignatures);
 * const answer = verifySignature(parsed, keys);
 * const key = answer instanceof Promise ? await answer : answer;
 * ```
 */
export function createSignatureStep(runtime: SignatureRuntime): SignatureStep {
  let inFlight = 0;
  // The verification waiting out its yield. There is at most one: it is counted while it waits,
  // so every other that arrives meanwhile sees company, goes to the pool and never waits here.
  let waiting: ParsedToken | undefined;
  let waitingKeys = NO_KEYS;

  const verified = (key: VerificationKey): VerificationKey => {
    inFlight--;
    return key;
  };
  const refused = (): never => {
    inFlight--;
    throw new AccessTokenError('signature_invalid', 'token signature does not verify');
  };

  // The runtime's methods are looked up on every call, never kept: that is what a test spying
  // on them replaces.
  function firstVerifying(token: ParsedToken, keys: readonly VerificationKey[], from: number, inPool: boolean): VerificationKey | Promise<VerificationKey> {
    const { header, signingInput, signature } = token;
    for (let i = from; i < keys.length; i++) {
      const key = keys[i] as VerificationKey;
      if (!hasExpectedShape(header.alg, key, signature)) continue;
      const answer = inPool
        ? (runtime.verifyInBackground as NonNullable<SignatureRuntime['verifyInBackground']>)(header.alg, key, signingInput, signature)
        : runtime.verify(header.alg, key, signingInput, signature);
      if (answer === true) return verified(key);
      if (answer !== false) return answer.then((valid) => (valid ? verified(key) : firstVerifying(token, keys, i + 1, inPool)));
    }
    return refused();
  }

  function afterYield(): VerificationKey | Promise<VerificationKey> {
    const token = waiting as ParsedToken;
    const keys = waitingKeys;
    waiting = undefined;
    waitingKeys = NO_KEYS;
    return firstVerifying(token, keys, 0, inFlight > 1);
  }

  return function verifySignature(token, keys) {
    inFlight++;
    if (runtime.verifyInBackground === undefined) return firstVerifying(token, keys, 0, false);
    if (inFlight > 1) return firstVerifying(token, keys, 0, true);
    waiting = token;
    waitingKeys = keys;
    return SETTLED.then(afterYield);
  };
}
