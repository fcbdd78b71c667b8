// The verifier's signature layer on its own, for test vectors whose payloads are not JWT claims
// (Wycheproof signs "foo", RFC 8037 a sentence): the same header rules, key-set import and
// signature step (key binding, signature shape, signature runtime) as createVerifier, without
// the claims.
import type { ErrorCode } from '../../src/errors.js';
import { AccessTokenError } from '../../src/errors.js';
import { importKeySet, lookupKey } from '../../src/jwks/key-set.js';
import { SUPPORTED_ALGORITHMS, type Algorithm } from '../../src/token/algorithms.js';
import { decodeBase64url } from '../../src/token/decode.js';
import { parseCompactJws, type ParsedToken } from '../../src/token/parse.js';
import type { SignatureRuntime, VerificationKey } from '../../src/token/signature.js';
import { createSignatureStep, type SignatureStep } from '../../src/token/verify-signature.js';

export type LayerOutcome = 'accepted' | Extract<
  ErrorCode,
  'token_malformed' | 'algorithm_not_allowed' | 'key_not_found' | 'signature_invalid'
>;

const ALL = new Set<Algorithm>(SUPPORTED_ALGORITHMS);

/**
 * What tokenwarden decides about a compact JWS signed over any payload bytes, given the key set
 * `keys`: `accepted`, or the error code the verifier would answer with.
 */
export async function signatureLayer(
  jws: string,
  keys: readonly unknown[],
  runtime: SignatureRuntime,
  allowed: ReadonlySet<Algorithm> = ALL,
): Promise<LayerOutcome> {
  const segments = jws.split('.');
  if (jws.startsWith('{') || segments.length !== 3) return 'token_malformed';
  const [headerSegment, payloadSegment, signatureSegment] = segments as [string, string, string];
  if (decodeBase64url(payloadSegment) === undefined) return 'token_malformed';

  // The header goes through the verifier's own parser, with an empty claims set standing in
  // for the payload (`e30` is base64url for `{}`), so every header rule applies unchanged.
  let parsed;
  try {
    parsed = parseCompactJws(`${headerSegment}.e30.${signatureSegment}`, { maxTokenLength: 1_048_576, algorithms: allowed });
  } catch (error) {
    if (error instanceof AccessTokenError) return error.code as LayerOutcome;
    throw error;
  }
  const { header } = parsed;

  const found = lookupKey(await importKeySet({ keys }, allowed, runtime), header.alg, header.kid);
  if (found.kind !== 'found') return 'key_not_found';
  const signed = { ...parsed, signingInput: `${headerSegment}.${payloadSegment}` };
  return (await verifiesWith(createSignatureStep(runtime), signed, found.keys)) ? 'accepted' : 'signature_invalid';
}

/** Whether the verifier's signature step finds a key among `keys` that verifies `token`. */
export async function verifiesWith(step: SignatureStep, token: ParsedToken, keys: readonly VerificationKey[]): Promise<boolean> {
  try {
    await step(token, keys);
    return true;
  } catch (error) {
    if (error instanceof AccessTokenError && error.code === 'signature_invalid') return false;
    throw error;
  }
}
