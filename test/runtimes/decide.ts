// How the attack corpus is decided, in a runtime and in Node alike: a fresh verifier per case (as
// each corpus test makes its own), and the outcome with the claims of an accepted token. The
// library comes in as a parameter: the runtime passes the package it was bundled with, Node
// passes the package's Node build.
import type { createVerifier, isAccessTokenError } from '../../src/index.js';

export interface Library {
  readonly createVerifier: typeof createVerifier;
  readonly isAccessTokenError: typeof isAccessTokenError;
}

export interface CaseRequest {
  readonly id: number;
  readonly token: string;
  readonly jwksUri: string;
  readonly options: Readonly<Record<string, unknown>>;
}

export interface CorpusRequest {
  readonly issuer: string;
  readonly audience: string;
  readonly cases: readonly CaseRequest[];
}

export interface CaseAnswer {
  readonly id: number;
  /** `accepted`, the refusal's code, `TypeError` at construction, or what else was thrown. */
  readonly outcome: string;
  /** The verified claims as JSON, for an accepted token. */
  readonly claims?: string;
}

export interface CorpusAnswer {
  readonly answers: readonly CaseAnswer[];
  /** Whether anything reached Object.prototype while the corpus ran. */
  readonly prototypePolluted: boolean;
}

async function decide(library: Library, request: CorpusRequest, item: CaseRequest): Promise<CaseAnswer> {
  let verifier;
  try {
    verifier = library.createVerifier({ ...item.options, issuer: request.issuer, audience: request.audience, jwksUri: item.jwksUri });
  } catch (error) {
    return { id: item.id, outcome: error instanceof TypeError ? 'TypeError' : `unexpected ${String(error)}` };
  }
  try {
    const claims = await verifier.verifyAccessToken(item.token);
    return { id: item.id, outcome: 'accepted', claims: JSON.stringify(claims) };
  } catch (error) {
    return { id: item.id, outcome: library.isAccessTokenError(error) ? error.code : `unexpected ${String(error)}` };
  }
}

export async function decideCorpus(library: Library, request: CorpusRequest): Promise<CorpusAnswer> {
  const answers: CaseAnswer[] = [];
  // One at a time, so that fetch counts and timings are those of a lone verification.
  for (const item of request.cases) answers.push(await decide(library, request, item));
  const prototypePolluted = Object.hasOwn(Object.prototype, 'polluted') || (({}) as Record<string, unknown>).polluted !== undefined;
  return { answers, prototypePolluted };
}
