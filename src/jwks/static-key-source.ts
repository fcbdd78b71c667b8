import { AccessTokenError } from '../errors.js';
import type { Algorithm } from '../token/algorithms.js';
import type { SignatureRuntime } from '../token/signature.js';
import { kidsOf } from './fetch-event.js';
import { importKeySet, lookupKey, type KeyLookup, type KeySet } from './key-set.js';
import type { KeySource } from './remote-key-source.js';

/** A key set given in the options (`jwks.keys`): never fetched, never changes. */
export interface StaticKeySourceConfig {
  readonly issuer: string;
  /** A JWKS document, already checked to have a `keys` array. */
  readonly document: unknown;
  readonly algorithms: ReadonlySet<Algorithm>;
  readonly signatures: SignatureRuntime;
}

const NOT_FOUND: Record<Exclude<KeyLookup['kind'], 'found'>, string> = {
  unknown: 'no key in the configured key set matches the token\'s "kid"',
  unusable: 'the key named by the token\'s "kid" cannot verify its algorithm',
  ambiguous: 'the token has no "kid" and more than one key fits its algorithm',
};

/**
 * The key source of a key set given as data: imported once, through the same key rules as a
 * fetched set (so an unusable key is skipped the same way), and never fetched. Since the set
 * cannot change, a kid it lacks is unknown at once (`key_not_found`): no rotation can be
 * pending. Publishes no events: nothing is ever fetched.
 */
export function createStaticKeySource(config: StaticKeySourceConfig): KeySource {
  const { issuer } = config;
  let keySet: KeySet | undefined;
  let problem: Error | undefined;
  // Imported from creation on; a lookup before it is done waits for it. The options were
  // checked to hold a `keys` array, the one thing importKeySet rejects without.
  let importing: Promise<void> | undefined = importKeySet(config.document, config.algorithms, config.signatures).then((set) => {
    keySet = set;
    importing = undefined;
    if (set.size === 0) problem = new Error(`the configured key set has no usable key (${set.skipped} skipped)`);
  });

  function keysFor(alg: Algorithm, kid: string | undefined): ReturnType<KeySource['getKeys']> {
    if (importing !== undefined) return importing.then(() => keysFor(alg, kid));
    // Imported by now: `importing` is cleared only once the set is in place.
    const found = lookupKey(keySet as KeySet, alg, kid);
    if (found.kind === 'found') return found.keys;
    throw new AccessTokenError('key_not_found', NOT_FOUND[found.kind]);
  }

  return {
    getKeys: keysFor,

    holds: (key) => keySet?.keys.has(key) === true,

    async load() {
      if (importing !== undefined) await importing;
      if (problem !== undefined) {
        throw new AccessTokenError('jwks_unavailable', `the configured key set cannot be used: ${problem.message}`, { cause: problem, retryAfter: 1 });
      }
    },

    health() {
      const usable = keySet !== undefined && keySet.size > 0;
      return {
        issuer,
        jwksUri: undefined,
        kids: keySet === undefined ? [] : kidsOf(keySet.keys),
        fetchedAt: undefined,
        freshUntil: undefined,
        nextAttemptAt: undefined,
        stale: false,
        usable,
        lastError: problem?.message,
      };
    },
  };
}
