// What the Node side of a runtime test and the module served inside the runtime agree on. Type
// imports only: both sides load it.
import type { HonoAuthOptions } from '../../src/adapters/hono.js';
import type { VerifierOptions } from '../../src/index.js';
import type { TestClaims } from '../adapters/support.js';

/** The request header carrying the app a request is for (see {@link AppConfig}). */
export const APP_HEADER = 'x-runtime-app';
/** POST a {@link CorpusRequest} here; the answer is a {@link CorpusAnswer}. */
export const CORPUS_PATH = '/__corpus';

/**
 * The options of one contract app, as JSON. The contract's only function-valued option is a
 * revocation store that cannot be reached; it crosses as `revocation: 'unreachable'`.
 */
export interface AppConfig {
  readonly options: Omit<HonoAuthOptions<TestClaims>, 'verifier'> & { readonly verifier: Omit<VerifierOptions, 'revocation'> };
  readonly revocation?: 'unreachable';
}

export function encodeApp(config: AppConfig): string {
  const bytes = new TextEncoder().encode(JSON.stringify(config));
  return btoa(String.fromCharCode(...bytes));
}

export function decodeApp(value: string): AppConfig {
  const bytes = Uint8Array.from(atob(value), (char) => char.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as AppConfig;
}
