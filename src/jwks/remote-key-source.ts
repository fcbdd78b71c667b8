import { AccessTokenError } from '../errors.js';
import type { Algorithm } from '../token/algorithms.js';
import type { SignatureRuntime, VerificationKey } from '../token/signature.js';
import { freshnessFromHeaders } from './cache-control.js';
import { discoverJwksUri } from './discovery.js';
import { parseJsonObject, type HttpError, type HttpGet } from './http.js';
import { importKeySet, lookupKey, type KeyLookup, type KeySet } from './key-set.js';

/** Resolved settings of one issuer's key source. Durations in seconds, sizes in bytes. */
export interface KeySourceConfig {
  readonly issuer: string;
  /** `undefined`: find it through discovery. */
  readonly jwksUri: URL | undefined;
  readonly algorithms: ReadonlySet<Algorithm>;
  readonly cooldown: number;
  readonly maxAge: number;
  readonly timeout: number;
  readonly maxStale: number;
  readonly maxBytes: number;
  readonly get: HttpGet;
  readonly signatures: SignatureRuntime;
}

/** The keys of one issuer, fetched on demand and kept fresh. */
export interface KeySource {
  /**
   * The keys to try for a token with this `alg` and `kid`. Synchronous when the cached set
   * has them (the hot path); a promise when a fetch is needed first.
   */
  getKeys(alg: Algorithm, kid: string | undefined): readonly VerificationKey[] | Promise<readonly VerificationKey[]>;
  /** Fetches the key set now unless one is usable; rejects with `jwks_unavailable` if it cannot. */
  load(): Promise<void>;
  /**
   * True while `key` is in the usable key set: once it leaves, nothing it verified is trusted.
   * Like a lookup, it starts a background refresh when the set is stale.
   */
  holds(key: VerificationKey): boolean;
}

// A server may ask for longer freshness than is prudent: a key it withdraws (say, after a
// compromise) must not stay trusted for longer than a day because of a header.
const MAX_HEADER_FRESHNESS = 86_400;
// Retry-After may push the next attempt past the cooldown, but not indefinitely.
const MAX_RETRY_AFTER = 300;

const KEY_NOT_FOUND: Record<Exclude<KeyLookup['kind'], 'found'>, string> = {
  unknown: 'no key in the issuer\'s key set matches the token\'s "kid"',
  unusable: 'the key named by the token\'s "kid" cannot verify its algorithm',
  ambiguous: 'the token has no "kid" and more than one key fits its algorithm',
};

/**
 * Creates the key source for one issuer. Its guarantees, all driven by one state machine:
 * - single flight: concurrent callers share one request;
 * - an unknown `kid` refetches at most once per `cooldown`, which is also the floor between
 *   any two fetches, so a flood of bogus kids costs the issuer one request per cooldown;
 * - a set is fresh for `maxAge` or what Cache-Control/Expires say; a stale set keeps
 *   serving while one refresh runs in the background;
 * - a failed refresh leaves the cached keys usable for `maxStale` past staleness;
 * - every fetch (discovery included) is bounded by `timeout` and `maxBytes`.
 */
export function createRemoteKeySource(config: KeySourceConfig): KeySource {
  const { issuer, algorithms, get, maxBytes } = config;
  const cooldownMs = config.cooldown * 1000;

  let keySet: KeySet | undefined;
  let staleAt = 0;
  let unusableAt = 0;
  let nextAttemptAt = 0;
  let inflight: Promise<void> | undefined;
  let lastError: Error | undefined;
  let jwksUri = config.jwksUri;

  async function fetchKeySet(): Promise<void> {
    const signal = AbortSignal.timeout(config.timeout * 1000);
    const options = { signal, maxBytes };
    try {
      // A user-supplied fetch may ignore the signal; racing it keeps `timeout` a hard bound,
      // since every caller waiting on this single flight would otherwise wait with it.
      const url = jwksUri ?? (await untilAborted(discoverJwksUri(issuer, get, options), signal));
      const response = await untilAborted(get(url, options), signal);
      const set = await importKeySet(parseJsonObject(response), algorithms, config.signatures, keySet);
      if (set.size === 0 && set.skipped > 0) {
        // Keys published but none usable looks like an issuer mishap (or an algorithm we do not
        // allow): keep serving the keys we have rather than refuse every token at once.
        throw new Error(`the key set has no usable key (${set.skipped} skipped)`);
      }
      const now = Date.now();
      const fromHeaders = freshnessFromHeaders(response, now);
      const lifetime = fromHeaders === undefined ? config.maxAge : Math.min(fromHeaders, MAX_HEADER_FRESHNESS);
      keySet = set;
      staleAt = now + Math.max(lifetime, config.cooldown) * 1000;
      unusableAt = staleAt + config.maxStale * 1000;
      lastError = undefined;
      jwksUri = url;
    } catch (error) {
      // Metadata may have moved the key set: discover again on the next attempt.
      if (config.jwksUri === undefined) jwksUri = undefined;
      lastError = signal.aborted
        ? new Error(`no complete answer within ${config.timeout} s`)
        : error instanceof Error
          ? error
          : new Error(String(error));
      const retryAfter = (error as HttpError | undefined)?.retryAfter;
      if (retryAfter !== undefined) {
        nextAttemptAt = Math.max(nextAttemptAt, Date.now() + Math.min(retryAfter, MAX_RETRY_AFTER) * 1000);
      }
    }
  }

  /** Starts a fetch, or joins the one already running. Never rejects. */
  function refresh(): Promise<void> {
    if (inflight === undefined) {
      nextAttemptAt = Date.now() + cooldownMs;
      inflight = fetchKeySet().finally(() => {
        inflight = undefined;
      });
    }
    return inflight;
  }

  function usableKeySet(now: number): KeySet | undefined {
    // Past maxStale the keys are too old to trust, even with the issuer unreachable.
    if (keySet !== undefined && now >= unusableAt) keySet = undefined;
    return keySet;
  }

  function unavailable(): AccessTokenError {
    const reason = lastError ? `: ${lastError.message}` : '';
    // Until then every token needing a fetch gets this same answer, so a client retrying sooner
    // only adds load. At least a second, even with no cooldown configured.
    const retryAfter = Math.max(1, Math.ceil((nextAttemptAt - Date.now()) / 1000));
    return new AccessTokenError('jwks_unavailable', `the key set of the token's issuer could not be fetched${reason}`, {
      cause: lastError,
      retryAfter,
    });
  }

  function notFound(kind: Exclude<KeyLookup['kind'], 'found'>, suffix = ''): AccessTokenError {
    return new AccessTokenError('key_not_found', KEY_NOT_FOUND[kind] + suffix);
  }

  function afterRefresh(alg: Algorithm, kid: string | undefined): readonly VerificationKey[] {
    const set = usableKeySet(Date.now());
    if (set === undefined) throw unavailable();
    const found = lookupKey(set, alg, kid);
    if (found.kind === 'found') return found.keys;
    // The refresh failed, so a key we do not know may well exist: say "cannot tell", not "no".
    if (found.kind === 'unknown' && lastError !== undefined) throw unavailable();
    throw notFound(found.kind);
  }

  return {
    getKeys(alg, kid) {
      const now = Date.now();
      const set = usableKeySet(now);
      if (set !== undefined) {
        const found = lookupKey(set, alg, kid);
        if (found.kind === 'found') {
          if (now >= staleAt && now >= nextAttemptAt && inflight === undefined) void refresh();
          return found.keys;
        }
        if (found.kind !== 'unknown') throw notFound(found.kind);
      }
      if (inflight === undefined && now < nextAttemptAt) {
        // Within the cooldown: answer from what we have rather than ask the issuer again. If
        // the last refresh failed, the kid may well exist: "cannot tell", as in afterRefresh.
        if (set === undefined || lastError !== undefined) throw unavailable();
        throw notFound('unknown', ' (key set refetched recently)');
      }
      return refresh().then(() => afterRefresh(alg, kid));
    },

    holds(key) {
      const now = Date.now();
      const held = usableKeySet(now)?.keys.has(key) === true;
      // Callers that skip getKeys (the verified-token cache) still keep the set fresh, so a key
      // the issuer withdraws stops being trusted within maxAge even if only old tokens arrive.
      if (held && now >= staleAt && now >= nextAttemptAt && inflight === undefined) void refresh();
      return held;
    },

    async load() {
      const now = Date.now();
      if (inflight === undefined) {
        if (usableKeySet(now) !== undefined) return;
        if (now < nextAttemptAt) throw unavailable();
      }
      await refresh();
      if (usableKeySet(Date.now()) === undefined) throw unavailable();
    },
  };
}

/** Settles as `promise`, or rejects as soon as `signal` aborts, whichever comes first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
