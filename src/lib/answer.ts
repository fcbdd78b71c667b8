// How a refusal is said over HTTP, whatever the framework: a status, headers and a JSON body.
// RFC 6750 §3.1 decides the status and challenge; 503 answers carry Retry-After, since the
// token may well be fine once the key set or the revocation store is back.
import { ERROR_DESCRIPTION, type AccessTokenError } from '../errors.js';
import { bearerChallenge } from './challenge.js';
import { hintOf } from './denial.js';

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

/** The answer for a refused token: 401 invalid_token, 403 insufficient_scope or 503. */
export function answerForError(error: AccessTokenError, settings: AnswerSettings): ErrorAnswer {
  const { realm, resourceMetadata } = settings;
  if (error.status === 503) {
    return freeze({
      status: 503,
      // The verifier's own estimate where it has one (the key source's next attempt), else the
      // configured default (a revocation store gives no hint of when it will be back).
      headers: { 'retry-after': String(error.retryAfter ?? settings.retryAfter) },
      body: { error: 'temporarily_unavailable', error_description: ERROR_DESCRIPTION[error.code] },
      error,
    });
  }
  if (error.status === 403) {
    const hint = hintOf(error);
    const description = hint?.description ?? ERROR_DESCRIPTION[error.code];
    const scope = hint?.scope === undefined || hint.scope.length === 0 ? undefined : hint.scope.join(' ');
    return freeze({
      status: 403,
      headers: {
        'www-authenticate': bearerChallenge({
          realm,
          error: 'insufficient_scope',
          error_description: description,
          scope,
          resource_metadata: resourceMetadata,
        }),
      },
      body: { error: 'insufficient_scope', error_description: description },
      error,
    });
  }
  const description = ERROR_DESCRIPTION[error.code];
  return freeze({
    status: 401,
    headers: {
      'www-authenticate': bearerChallenge({
        realm,
        error: 'invalid_token',
        error_description: description,
        resource_metadata: resourceMetadata,
      }),
    },
    body: { error: 'invalid_token', error_description: description },
    error,
  });
}
