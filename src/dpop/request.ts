// verifier.verifyRequest(): a request's token with what binds it to its sender, the DPoP proof
// (RFC 9449 §7) or the client certificate (RFC 8705 §3), then everything verifyAccessToken does.
// The verifier hands in its token verification; everything below reaches down, never back up.
import type { AccessTokenClaims } from '../claims/types.js';
import { AccessTokenError, isAccessTokenError } from '../errors.js';
import { certificateDer, forwardedCertificateDer, normaliseAddress, type ClientCertificate } from '../mtls/certificate.js';
import type { MtlsSettings } from '../mtls/options.js';
import { digests, signatures } from '../runtime/node.js';
import { bindingInvalid, bindingOf } from './binding.js';
import { headerValues, readCredential, type Credential, type RequestHeaders } from './headers.js';
import { httpTarget } from './htu.js';
import { createNonceSource } from './nonce.js';
import type { DpopSettings } from './options.js';
import { createProofChecker, proofInvalid, type CheckedProof } from './proof.js';
import { replayUnavailable } from './replay.js';

/** An HTTP request as `verifier.verifyRequest` reads it. */
export interface VerifiableRequest {
  /** The request method, as received (`GET`, `POST`…): a proof's `htm` must equal it. */
  readonly method: string;
  /**
   * The absolute URL the client called (scheme, `Host` and path as received; the query is
   * ignored). Behind a proxy, `dpop.origins` says which origins proofs may name.
   */
  readonly url: string;
  /** The request headers: a web `Headers`, or a record with lower-case names (Node's `req.headers`). */
  readonly headers: RequestHeaders;
  /** The client certificate of the TLS connection: DER bytes, PEM text or an `X509Certificate`. */
  readonly clientCertificate?: ClientCertificate | undefined;
  /**
   * The address the connection comes from (Node's `req.socket.remoteAddress`): a forwarded
   * certificate header (`mtls.certificateHeader`) is read only when it is one of
   * `mtls.trustedProxies`.
   */
  readonly remoteAddress?: string | undefined;
}

/**
 * Where tokenwarden's adapters put the credential they have already read from every
 * Authorization header of the request (on Node from `rawHeaders`, which keeps the repeated
 * headers `headers` folds away), so that verifyRequest does not parse the header a second
 * time. A request without it is read from its `headers`. Not exported from the package: the
 * caller of verifyRequest is trusted with the request it builds, and a client's bytes never
 * become a symbol-keyed property.
 */
export const PRESENTED_CREDENTIAL: unique symbol = Symbol('tokenwarden.presentedCredential');

/** A request as an adapter hands it to verifyRequest, with the credential it read. */
export interface PresentedRequest extends VerifiableRequest {
  readonly [PRESENTED_CREDENTIAL]?: Credential;
}

/**
 * Passed to the verifier's own verification as its second argument: the caller checks the
 * token's binding itself, so a bound token is not refused there.
 */
export const CHECKS_BINDING: object = Object.freeze({});

export interface RequestVerifierParts {
  readonly dpop: DpopSettings;
  readonly mtls: MtlsSettings;
  /** The verifier's verification of the token, which must let bound tokens through. */
  readonly verifyToken: (token: string) => Promise<AccessTokenClaims>;
}

const CREDENTIAL_PROBLEM = {
  none: 'request carries no Bearer or DPoP access token',
  multiple: 'request carries more than one access token',
  malformed: 'Authorization header is malformed',
} as const;

const malformed = (message: string): AccessTokenError => new AccessTokenError('token_malformed', message);

function checkRequestShape(request: unknown): asserts request is VerifiableRequest {
  if (typeof request !== 'object' || request === null) throw new TypeError('tokenwarden: verifyRequest needs a request object');
  const { method, url, headers } = request as Record<string, unknown>;
  if (typeof method !== 'string' || method === '') throw new TypeError('tokenwarden: verifyRequest needs the request "method"');
  if (typeof url !== 'string') throw new TypeError('tokenwarden: verifyRequest needs the request "url" (absolute)');
  if (typeof headers !== 'object' || headers === null) throw new TypeError('tokenwarden: verifyRequest needs the request "headers"');
}

/** What an adapter's challenges say about DPoP (RFC 9449 §7.1) for one verifier. */
export interface DpopChallenge {
  /** The proof algorithms, space-separated, for `algs`. */
  readonly algs: string;
  /** Advertise DPoP in every challenge, not only to requests that used it (`dpop` was configured). */
  readonly advertise: boolean;
  /** Bearer tokens are accepted too (`dpop.mode` is not `required`). */
  readonly bearer: boolean;
}

// Keyed by the verifyRequest function a verifier exposes: adapters find its DPoP settings
// without the Verifier interface growing a field for them.
const challenges = new WeakMap<object, DpopChallenge>();

/** The DPoP challenge settings of a verifier, `undefined` when it takes no DPoP (or is no verifier of ours). */
export function dpopChallengeOf(verifier: { readonly verifyRequest?: unknown }): DpopChallenge | undefined {
  const { verifyRequest } = verifier;
  return typeof verifyRequest === 'function' ? challenges.get(verifyRequest) : undefined;
}

export function createRequestVerifier(parts: RequestVerifierParts): (request: VerifiableRequest) => Promise<AccessTokenClaims> {
  const { dpop, mtls, verifyToken } = parts;
  const proofs = createProofChecker({ ...dpop, signatures, digests });
  const nonces = dpop.nonce === undefined ? undefined : createNonceSource(dpop.nonce.secrets, dpop.nonce.lifetime, digests);

  async function checkProof(request: VerifiableRequest, token: string, now: number): Promise<CheckedProof> {
    if (dpop.mode === 'disabled') throw proofInvalid('came to a verifier that does not accept DPoP');
    const values = headerValues(request.headers, 'dpop');
    // RFC 9449 §4.3 step 1: exactly one DPoP header.
    if (values.length === 0 || values[0] === '') throw proofInvalid('is missing: a DPoP token needs a DPoP header');
    if (values.length > 1) throw proofInvalid('header appears more than once');
    const target = httpTarget(request.url, false);
    // A Host header a client made up can make the URL unreadable: a refusal, never a 500.
    if (target === undefined) throw proofInvalid('cannot be checked: the request URL is not an absolute http(s) URL');
    const proof = await proofs.check(values[0] as string, { method: request.method, target, token }, now);
    if (nonces !== undefined && !(await nonces.accepts(proof.nonce, now))) {
      // RFC 9449 §8: the client retries with the nonce it is handed.
      throw new AccessTokenError('dpop_nonce_required', proof.nonce === undefined ? 'DPoP proof has no nonce' : 'DPoP proof nonce is wrong or expired', {
        dpopNonce: await nonces.current(now),
      });
    }
    return proof;
  }

  function presentedCertificate(request: VerifiableRequest): Uint8Array | undefined {
    if (request.clientCertificate !== undefined) return certificateDer(request.clientCertificate);
    const header = mtls.certificateHeader;
    const address = request.remoteAddress;
    // Only a proxy this verifier trusts may say which certificate the client presented to it.
    if (header === undefined || typeof address !== 'string' || !mtls.trustedProxies.has(normaliseAddress(address))) return undefined;
    const values = headerValues(request.headers, header);
    return values.length === 1 ? forwardedCertificateDer(values[0] as string) : undefined;
  }

  async function checkCertificate(request: VerifiableRequest, x5t: string): Promise<void> {
    if (mtls.mode === 'disabled') throw bindingInvalid('token is certificate-bound, and this verifier does not accept certificate-bound tokens');
    const der = presentedCertificate(request);
    if (der === undefined) throw bindingInvalid('token is certificate-bound, and the request presents no client certificate');
    // RFC 8705 §3.1: base64url(SHA-256(DER)).
    if ((await digests.sha256(der)) !== x5t) throw bindingInvalid('client certificate is not the one the token is bound to');
  }

  async function claimProof(proof: CheckedProof): Promise<void> {
    let first: boolean;
    try {
      // RFC 9449 §11.1: the jti is remembered for as long as the proof's iat is accepted.
      const answer = dpop.replay.claim(`${proof.jkt}.${proof.jti}`, proof.iat + dpop.maxProofAge + dpop.clockTolerance);
      // The memory store answers at once: awaiting a plain boolean would still cost a microtask.
      first = typeof answer === 'boolean' ? answer : await answer;
    } catch (error) {
      throw isAccessTokenError(error) ? error : replayUnavailable('could not record the proof', error);
    }
    if (first !== true) throw proofInvalid('has been used before (replayed "jti")');
  }

  async function verifyRequest(request: VerifiableRequest): Promise<AccessTokenClaims> {
    checkRequestShape(request);
    const credential = (request as PresentedRequest)[PRESENTED_CREDENTIAL] ?? readCredential(headerValues(request.headers, 'authorization'));
    if (credential.kind !== 'token') throw malformed(CREDENTIAL_PROBLEM[credential.kind]);
    const { scheme, token } = credential;
    const now = Date.now() / 1000;
    const proof = scheme === 'DPoP' ? await checkProof(request, token, now) : undefined;

    const claims = await verifyToken(token);
    const binding = bindingOf(claims);
    if (proof !== undefined) {
      // RFC 9449 §7.1: the proof's key must be the one the token is bound to.
      if (binding?.jkt === undefined) throw bindingInvalid('token presented with DPoP is not DPoP-bound (no cnf.jkt)');
      if (binding.jkt !== proof.jkt) throw bindingInvalid('DPoP proof key is not the key the token is bound to');
    } else {
      if (binding?.jkt !== undefined) throw bindingInvalid('DPoP-bound token presented with the Bearer scheme');
      if (dpop.mode === 'required') throw bindingInvalid('this verifier accepts DPoP-bound tokens only');
    }
    if (binding?.x5t !== undefined) await checkCertificate(request, binding.x5t);
    else if (mtls.mode === 'required') throw bindingInvalid('this verifier accepts certificate-bound tokens only');
    if (proof !== undefined) await claimProof(proof);
    return claims;
  }

  if (dpop.mode !== 'disabled') {
    challenges.set(verifyRequest, { algs: [...dpop.algorithms].join(' '), advertise: dpop.configured, bearer: dpop.mode !== 'required' });
  }
  return verifyRequest;
}
