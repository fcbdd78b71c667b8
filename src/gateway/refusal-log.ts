// One JSON line per refusal, on stdout, for the platform's log pipeline: what was refused
// (code, status), for which original request (method, path without query: a query string can
// carry a token), and, once the token was verified (a 403), whose it was (issuer, client id).
// Never the token, nor a claim value that could hold one.
import type { ErrorAnswer } from '../lib/answer.js';

/** Why a request was refused: an AccessTokenError code, or one of the gateway's own. */
export type RefusalCode =
  | NonNullable<ErrorAnswer['error']>['code']
  | 'missing_token'
  | 'invalid_request'
  | 'route_denied'
  | 'untrusted_forwarding'
  | 'missing_forwarding'
  | 'bad_path';

/** One line of the refusal log. */
export interface RefusalLine {
  readonly time: string;
  readonly event: 'refused';
  readonly status: number;
  readonly code: RefusalCode;
  readonly method: string | undefined;
  readonly path: string | undefined;
  /** The configured rule that matched (`routes[2]`), or `default`. */
  readonly route: string | undefined;
  readonly issuer: string | undefined;
  readonly clientId: string | undefined;
}

/** Where lines go. */
export type LineWriter = (line: string) => void;

const MAX_PATH = 256;

/** The code to log for an answer the adapter core gave (a refusal before any token was read has no error). */
export function answerCode(answer: ErrorAnswer): RefusalCode {
  if (answer.error !== undefined) return answer.error.code;
  return answer.status === 401 ? 'missing_token' : 'invalid_request';
}

/** Writes one refusal; `undefined` fields are left out of the JSON. */
export function logRefusal(write: LineWriter, line: Omit<RefusalLine, 'time' | 'event'>): void {
  const path = line.path !== undefined && line.path.length > MAX_PATH ? `${line.path.slice(0, MAX_PATH)}…` : line.path;
  write(JSON.stringify({ time: new Date().toISOString(), event: 'refused', ...line, path }));
}
