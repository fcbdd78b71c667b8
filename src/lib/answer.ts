// How a refusal is said over HTTP, whatever the framework: a status, headers and a JSON body.
// RFC 6750 §3.1 decides the status and challenge; 503 answers carry Retry-After, since the
// token may well be fine once the key set or the revocation store is back.
import { ERROR_DESCRIPTION, type AccessTokenError } from '../errors.js';
import { bearerChallenge } from './challenge.js';

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
export function answerForRequest(problem: RequestProblem, settings: AnswerSettings): ErrorAnswer {
  const { realm, resourceMetadata } = settings;
  if (problem === 'missing') {
    // RFC 6750 §3.1: a request without credentials gets a bare challenge, no error code.
    return freeze({
      status: 401,
      headers: { 'www-authenticate': bearerChallenge({ realm, resource_metadata: resourceMetadata }) },
      body: { error: 'unauthorized', error_description: 'An access token is required' },
      error: undefined,
    });
  }
  const description = PROBLEM_DESCRIPTION[problem];
  return freeze({
    status: 400,
    headers: {
      'www-authenticate': bearerChallenge({
        realm,
        error: 'invalid_request',
        error_description: description,
        resource_metadata: resourceMetadata,
      }),
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
export function answerForError(error: AccessTokenError, settings: AnswerSettings): ErrorAnswer {
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
  const code = error.status === 403 ? 'insufficient_scope' : 'invalid_token';
  const scopes = error.requiredScopes;
  return freeze({
    status: error.status,
    headers: {
      'www-authenticate': bearerChallenge({
        realm,
        error: code,
        error_description: description,
        scope: scopes === undefined || scopes.length === 0 ? undefined : scopes.join(' '),
        resource_metadata: resourceMetadata,
      }),
    },
    body: { error: code, error_description: description },
    error,
  });
}
