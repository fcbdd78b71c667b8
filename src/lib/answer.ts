// How a refusal is said over HTTP, whatever the framework: a status, headers and a JSON body.
// RFC 6750 §3.1 decides the status and challenge; 503 answers carry Retry-After, since the
// token may well be fine once the key set, the introspection endpoint or the revocation store
// is back. An inactive token (`token_inactive`) is RFC 6750's `invalid_token` like any bad one.
import type { DpopChallenge } from '../dpop/request.js';
import { ERROR_DESCRIPTION, OAUTH_ERROR, type AccessTokenError } from '../errors.js';
import { bearerChallenge, quotedString, type ChallengeParams } from './challenge.js';

/**
 * An HTTP answer to a refused request, before any framework writes it. Adapters send it as it
 * is unless an `errorResponse` option takes over.
 */
export interface ErrorAnswer {
  /** 400 (malformed or ambiguous request), 401 (no token, bad token), 403 (not allowed), 503 (cannot tell now). */
  readonly status: 400 | 401 | 403 | 503;
  /** `www-authenticate` for 400/401/403, `retry-after` for 503. Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body: an OAuth-style error code and a client-safe description. */
  readonly body: { readonly error: string; readonly error_description: string };
  /**
   * The refusal behind the answer, to branch on `code` or log; `undefined` when the request
   * carried no token or an ambiguous one. Its message never contains the token.
   */
  readonly error: AccessTokenError | undefined;
}

/** Answer settings resolved once from an adapter's options. */
export interface AnswerSettings {
  readonly realm: string;
  readonly resourceMetadata: string | undefined;
  /** Seconds, for Retry-After on 503. */
  readonly retryAfter: number;
  /** The verifier's DPoP challenge settings; unset when it takes no DPoP. */
  readonly dpop?: DpopChallenge | undefined;
}

/** The authentication scheme a refused request used, when it carried a token. */
export type Scheme = 'Bearer' | 'DPoP';

/**
 * The `WWW-Authenticate` value: RFC 6750's Bearer challenge and, where DPoP is taken, RFC 9449
 * §7.1's DPoP challenge with `algs` beside it (one header, challenges separated by a comma,
 * RFC 9110 §11.6.1). The error goes in the challenge of the scheme the request used, or in the
 * DPoP one when only DPoP is accepted.
 */
function challengeHeader(params: ChallengeParams, settings: AnswerSettings, scheme: Scheme | undefined): string {
  const { dpop } = settings;
  if (dpop === undefined || (!dpop.advertise && scheme !== 'DPoP')) return bearerChallenge(params);
  const bare: ChallengeParams = { realm: params.realm, resource_metadata: params.resource_metadata };
  const errorInDpop = scheme === 'DPoP' || !dpop.bearer;
  const dpopPart = bearerChallenge(errorInDpop ? params : bare).replace(/^Bearer/, 'DPoP');
  const withAlgs = `${dpopPart}${dpopPart === 'DPoP' ? ' ' : ', '}algs=${quotedString(dpop.algs)}`;
  if (!dpop.bearer) return withAlgs;
  return `${bearerChallenge(errorInDpop ? bare : params)}, ${withAlgs}`;
}

/** Why a request was refused before its token was verified. */
export type RequestProblem = 'missing' | 'multiple' | 'malformed';

const PROBLEM_DESCRIPTION: Readonly<Record<Exclude<RequestProblem, 'missing'>, string>> = {
  multiple: 'The request carries more than one access token',
  malformed: 'The Authorization header is malformed',
};

function freeze(answer: ErrorAnswer): ErrorAnswer {
  Object.freeze(answer.headers);
  Object.freeze(answer.body);
  return Object.freeze(answer);
}

/** The answer when the token could not even be read. */
export function answerForRequest(problem: RequestProblem, settings: AnswerSettings, scheme?: Scheme): ErrorAnswer {
  const { realm, resourceMetadata } = settings;
  if (problem === 'missing') {
    // RFC 6750 §3.1: a request without credentials gets a bare challenge, no error code.
    return freeze({
      status: 401,
      headers: { 'www-authenticate': challengeHeader({ realm, resource_metadata: resourceMetadata }, settings, scheme) },
      body: { error: 'unauthorized', error_description: 'An access token is required' },
      error: undefined,
    });
  }
  const description = PROBLEM_DESCRIPTION[problem];
  return freeze({
    status: 400,
    headers: {
      'www-authenticate': challengeHeader(
        { realm, error: 'invalid_request', error_description: description, resource_metadata: resourceMetadata },
        settings,
        scheme,
      ),
    },
    body: { error: 'invalid_request', error_description: description },
    error: undefined,
  });
}

/**
 * The answer for a refused token: 401 invalid_token, 403 insufficient_scope or 503. What the
 * client is told comes from the error: its own `description` (else its code's), and the
 * `requiredScopes` of the route in the challenge.
 */
export function answerForError(error: AccessTokenError, settings: AnswerSettings, scheme?: Scheme): ErrorAnswer {
  const { realm, resourceMetadata } = settings;
  const description = error.description ?? ERROR_DESCRIPTION[error.code];
  if (error.status === 503) {
    return freeze({
      status: 503,
      // The verifier's own estimate where it has one (the key source's next attempt), else the
      // configured default (a revocation store gives no hint of when it will be back).
      headers: { 'retry-after': String(error.retryAfter ?? settings.retryAfter) },
      body: { error: 'temporarily_unavailable', error_description: description },
      error,
    });
  }
  const code = OAUTH_ERROR[error.code] ?? (error.status === 403 ? 'insufficient_scope' : 'invalid_token');
  const scopes = error.requiredScopes;
  const params: ChallengeParams = {
    realm,
    error: code,
    error_description: description,
    scope: scopes === undefined || scopes.length === 0 ? undefined : scopes.join(' '),
    resource_metadata: resourceMetadata,
  };
  const headers: Record<string, string> = { 'www-authenticate': challengeHeader(params, settings, scheme) };
  // RFC 9449 §8: the nonce the client is to use in its next proof.
  if (error.dpopNonce !== undefined) headers['dpop-nonce'] = error.dpopNonce;
  return freeze({
    status: error.status,
    headers,
    body: { error: code, error_description: description },
    error,
  });
}
