import { AccessTokenError } from '../errors.js';
import type { IssuerHealth } from '../events/health.js';
import type { JwksFetchEvent, JwksFetchReason, JwksSkippedEvent, JwksStaleEvent } from '../events/jwks.js';
import { SILENT, untrusted, type EventSink } from '../events/sink.js';
import { deadline, untilAborted } from '../lib/timeout.js';
import type { Algorithm } from '../token/algorithms.js';
import type { SignatureRuntime, VerificationKey } from '../token/signature.js';
import { freshnessFromHeaders } from './cache-control.js';
import { discoverJwksUri } from './discovery.js';
import { parseJsonObject, type HttpError, type HttpGet, type HttpGetOptions } from './http.js';
import { importKeySet, lookupKey, type KeyLookup, type KeySet } from './key-set.js';
import { fetchEvent, kidsOf, type Attempt } from './fetch-event.js';
import { createKidSightings } from './kid-sightings.js';

/** Resolved settings of one issuer's key source. Durations in seconds, sizes in bytes. */
export interface KeySourceConfig {
  readonly issuer: string;
  /** `undefined`: find it through discovery. */
  readonly jwksUri: URL | undefined;
  /**
   * Where discovery reads the metadata, when that is not `issuer` itself (an issuer template's
   * `common` form); the metadata must still name `issuer`. @default issuer
   */
  readonly discoverAt?: string | undefined;
  /**
   * A JWKS document to use until the first fetch (`jwks.initial`): fresh for `maxAge` from
   * creation, through the same key rules as a fetched set. @default none
   */
  readonly initial?: unknown;
  readonly algorithms: ReadonlySet<Algorithm>;
  readonly cooldown: number;
  readonly maxAge: number;
  readonly timeout: number;
  readonly maxStale: number;
  readonly maxBytes: number;
  readonly get: HttpGet;
  readonly signatures: SignatureRuntime;
  /** Where to publish what happens to the key set. @default nowhere */
  readonly events?: KeySourceEvents;
}

/** The sinks a key source publishes to (the verifier hands it the diagnostics channels). */
export interface KeySourceEvents {
  readonly fetch: EventSink<JwksFetchEvent>;
  readonly skipped: EventSink<JwksSkippedEvent>;
  readonly stale: EventSink<JwksStaleEvent>;
}

const SILENT_EVENTS: KeySourceEvents = { fetch: SILENT, skipped: SILENT, stale: SILENT };

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
  /** The state of the key set now; never fetches. */
  health(): IssuerHealth;
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
 * - a kid is declared unknown (401) only by a fetch that started after it was first seen;
 *   until one has, the answer is "cannot tell yet" (503 with Retry-After), so a token signed
 *   with a key published a moment ago is never told it is invalid;
 * - a set is fresh for `maxAge` or what Cache-Control/Expires say; a stale set keeps
 *   serving while one refresh runs in the background;
 * - discovered metadata is re-read by the refresh that finds it stale (its own Cache-Control,
 *   else `maxAge`, within the same bounds), so a moved key set is followed; metadata that
 *   cannot be read, or names another issuer, leaves the key set where it was;
 * - a failed refresh leaves the cached keys usable for `maxStale` past staleness;
 * - every fetch (discovery included) is bounded by `timeout` and `maxBytes`.
 */
export function createRemoteKeySource(config: KeySourceConfig): KeySource {
  const { issuer, algorithms, get, maxBytes } = config;
  const cooldownMs = config.cooldown * 1000;
  const events = config.events ?? SILENT_EVENTS;

  let keySet: KeySet | undefined;
  // When the last successful fetch ended, and when its set goes stale.
  let fetchedAt: number | undefined;
  let staleAt = 0;
  let unusableAt = 0;
  let nextAttemptAt = 0;
  let inflight: Promise<void> | undefined;
  let lastError: Error | undefined;
  // The key set's location: configured, or from metadata that is re-read once stale.
  let jwksUri = config.jwksUri;
  let metadataStaleAt = 0;
  // Fetches started so far, and the number of the one that produced `keySet`.
  let fetchesStarted = 0;
  let keySetFetch = 0;
  const sightings = createKidSightings();
  // While the preloaded set is being imported; lookups wait for it rather than fetch.
  let preloading = config.initial === undefined ? undefined : preload(config.initial);

  /**
   * Imports the preloaded set as if fetched now without cache headers, so that it is refreshed
   * like one, and is only ever replaced by a successful fetch. Not a fetch: no event, and
   * `fetchedAt` stays unset. A preloaded set without a usable key is not used at all.
   */
  async function preload(document: unknown): Promise<void> {
    const created = Date.now();
    try {
      const set = await importKeySet(document, algorithms, config.signatures);
      if (set.size > 0 && keySet === undefined) {
        keySet = set;
        staleAt = created + lifetimeOf(undefined) * 1000;
        unusableAt = staleAt + config.maxStale * 1000;
      }
    } catch {
      // Checked to be a key set at construction: nothing to report if it still is not one.
    } finally {
      preloading = undefined;
    }
  }

  /** Seconds a response stays fresh: its headers within bounds, else `maxAge`; never under the cooldown. */
  function lifetimeOf(fromHeaders: number | undefined): number {
    const lifetime = fromHeaders === undefined ? config.maxAge : Math.min(fromHeaders, MAX_HEADER_FRESHNESS);
    return Math.max(lifetime, config.cooldown);
  }

  /**
   * Where to fetch the key set from now, reading the metadata again when it is stale. Notes in
   * `attempt` whether it read the metadata and whether that moved the key set.
   */
  async function locateKeySet(options: HttpGetOptions, attempt: Attempt): Promise<URL> {
    if (config.jwksUri !== undefined) return config.jwksUri;
    if (jwksUri !== undefined && Date.now() < metadataStaleAt) return jwksUri;
    try {
      const { jwksUri: located, freshFor } = await untilAborted(discoverJwksUri(issuer, get, options, config.discoverAt), options.signal);
      metadataStaleAt = Date.now() + lifetimeOf(freshFor) * 1000;
      attempt.metadata = 'read';
      if (jwksUri !== undefined && jwksUri.href !== located.href) attempt.moved = { from: jwksUri.href, to: located.href };
      return located;
    } catch (error) {
      attempt.metadata = 'failed';
      // Metadata that cannot be read (or names another issuer) says nothing about a move: keep
      // fetching from where the keys were, and read it again on the next refresh.
      if (jwksUri === undefined || options.signal.aborted) throw error;
      return jwksUri;
    }
  }

  async function fetchKeySet(fetchNumber: number, reason: JwksFetchReason): Promise<void> {
    // Loading the transport (on the first fetch of the process) is not the issuer taking its
    // time, and a timeout would refuse tokens for a whole cooldown: it runs before the clock
    // starts. Should it fail, get() below fails the same way, and that is the error recorded.
    if (get.prepare !== undefined) await get.prepare().catch(() => undefined);
    const started = performance.now();
    const previous = keySet;
    const metadata = config.jwksUri === undefined ? 'fresh' : 'none';
    const attempt: Attempt = { url: undefined, status: undefined, metadata, moved: undefined, set: undefined };
    const timeout = deadline(config.timeout * 1000);
    const { signal } = timeout;
    const options = { signal, maxBytes };
    try {
      // A user-supplied fetch may ignore the signal; racing it keeps `timeout` a hard bound,
      // since every caller waiting on this single flight would otherwise wait with it.
      const url = await locateKeySet(options, attempt);
      attempt.url = url;
      const response = await untilAborted(get(url, options), signal);
      attempt.status = response.status;
      const set = await importKeySet(parseJsonObject(response), algorithms, config.signatures, keySet);
      attempt.set = set;
      if (set.size === 0 && set.skipped > 0) {
        // Keys published but none usable looks like an issuer mishap (or an algorithm we do not
        // allow): keep serving the keys we have rather than refuse every token at once.
        throw new Error(`the key set has no usable key (${set.skipped} skipped)`);
      }
      const now = Date.now();
      // The whole set is replaced: keys served only at a location the metadata has left are
      // no longer trusted.
      keySet = set;
      keySetFetch = fetchNumber;
      fetchedAt = now;
      staleAt = now + lifetimeOf(freshnessFromHeaders(response, now)) * 1000;
      unusableAt = staleAt + config.maxStale * 1000;
      lastError = undefined;
      jwksUri = url;
    } catch (error) {
      // Metadata may have moved the key set: read it again on the next attempt.
      metadataStaleAt = 0;
      lastError = signal.aborted
        ? new Error(`no complete answer within ${config.timeout} s`)
        : error instanceof Error
          ? error
          : new Error(String(error));
      const { retryAfter, status } = (error ?? {}) as HttpError;
      attempt.status ??= status;
      if (retryAfter !== undefined) {
        nextAttemptAt = Math.max(nextAttemptAt, Date.now() + Math.min(retryAfter, MAX_RETRY_AFTER) * 1000);
      }
      reportStale(lastError);
    } finally {
      timeout.clear();
    }
    if (events.fetch.hasSubscribers) {
      events.fetch.publish(fetchEvent(issuer, reason, attempt, previous, performance.now() - started, lastError));
    }
  }

  /** Publishes that a refresh of a stale set failed, while its keys stay in use. */
  function reportStale(error: Error): void {
    const now = Date.now();
    if (!events.stale.hasSubscribers || keySet === undefined || now < staleAt || now >= unusableAt) return;
    events.stale.publish({ issuer, staleSeconds: (now - staleAt) / 1000, usableSeconds: (unusableAt - now) / 1000, error });
  }

  /**
   * Starts a fetch, or joins the one already running. `trigger` is why the caller needs one;
   * the event says `retry` instead when the previous attempt failed. Never rejects.
   */
  function refresh(trigger: Exclude<JwksFetchReason, 'retry'>): Promise<void> {
    if (inflight === undefined) {
      nextAttemptAt = Date.now() + cooldownMs;
      inflight = fetchKeySet(++fetchesStarted, lastError === undefined ? trigger : 'retry').finally(() => {
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

  // Until the next attempt every token needing a fetch gets the same answer, so a client
  // retrying sooner only adds load. At least a second, even with no cooldown configured.
  const secondsToNextAttempt = (): number => Math.max(1, Math.ceil((nextAttemptAt - Date.now()) / 1000));

  function unavailable(): AccessTokenError {
    const reason = lastError ? `: ${lastError.message}` : '';
    return new AccessTokenError('jwks_unavailable', `the key set of the token's issuer could not be fetched${reason}`, {
      cause: lastError,
      retryAfter: secondsToNextAttempt(),
    });
  }

  function notFound(kind: Exclude<KeyLookup['kind'], 'found'>, suffix = ''): AccessTokenError {
    return new AccessTokenError('key_not_found', KEY_NOT_FOUND[kind] + suffix);
  }

  /**
   * The answer for a kid the current set does not hold. The set came from a fetch that may have
   * started before the issuer published the key: only a later one may call the kid unknown.
   */
  function missing(alg: Algorithm, kid: string | undefined, suffix = ''): AccessTokenError {
    // A failed refresh means a key we do not know may well exist: "cannot tell", not "no".
    if (lastError !== undefined) return unavailable();
    if (sightings.decidedBy(alg, kid, keySetFetch)) return notFound('unknown', suffix);
    return new AccessTokenError(
      'jwks_unavailable',
      "the token's key is not in the key set, which has not been fetched since the key was first seen",
      { retryAfter: secondsToNextAttempt() },
    );
  }

  function afterRefresh(alg: Algorithm, kid: string | undefined): readonly VerificationKey[] {
    const set = usableKeySet(Date.now());
    if (set === undefined) throw unavailable();
    const found = lookupKey(set, alg, kid);
    if (found.kind === 'found') return found.keys;
    throw found.kind === 'unknown' ? missing(alg, kid) : notFound(found.kind);
  }

  const source: KeySource = {
    getKeys(alg, kid) {
      if (preloading !== undefined) return preloading.then(() => source.getKeys(alg, kid));
      const now = Date.now();
      const set = usableKeySet(now);
      if (set !== undefined) {
        const found = lookupKey(set, alg, kid);
        if (found.kind === 'found') {
          if (now >= staleAt && now >= nextAttemptAt && inflight === undefined) void refresh('stale');
          return found.keys;
        }
        if (found.kind !== 'unknown') throw notFound(found.kind);
      }
      sightings.see(alg, kid, fetchesStarted);
      if (inflight === undefined && now < nextAttemptAt) {
        // Within the cooldown: answer from what we have rather than ask the issuer again.
        if (set === undefined) throw unavailable();
        const refused = missing(alg, kid, ' (key set refetched recently)');
        if (events.skipped.hasSubscribers) {
          const decided = refused.code === 'key_not_found';
          events.skipped.publish({ issuer, kid: untrusted(kid), alg, retryAfter: secondsToNextAttempt(), decided });
        }
        throw refused;
      }
      return refresh(set === undefined ? 'initial' : 'unknown-kid').then(() => afterRefresh(alg, kid));
    },

    holds(key) {
      const now = Date.now();
      const held = usableKeySet(now)?.keys.has(key) === true;
      // Callers that skip getKeys (the verified-token cache) still keep the set fresh, so a key
      // the issuer withdraws stops being trusted within maxAge even if only old tokens arrive.
      if (held && now >= staleAt && now >= nextAttemptAt && inflight === undefined) void refresh('stale');
      return held;
    },

    async load() {
      if (preloading !== undefined) await preloading;
      const now = Date.now();
      if (inflight === undefined) {
        if (usableKeySet(now) !== undefined) return;
        if (now < nextAttemptAt) throw unavailable();
      }
      await refresh('initial');
      if (usableKeySet(Date.now()) === undefined) throw unavailable();
    },

    health() {
      const now = Date.now();
      // Read without dropping anything: the state is reported, not changed.
      const usable = keySet !== undefined && now < unusableAt ? keySet : undefined;
      // A preloaded set goes stale like a fetched one.
      const fetched = keySet !== undefined || fetchedAt !== undefined;
      return {
        issuer,
        jwksUri: jwksUri?.href,
        kids: usable === undefined ? [] : kidsOf(usable.keys),
        fetchedAt: fetchedAt === undefined ? undefined : fetchedAt / 1000,
        freshUntil: fetched ? staleAt / 1000 : undefined,
        nextAttemptAt: nextAttemptAt > now ? nextAttemptAt / 1000 : undefined,
        stale: fetched && now >= staleAt,
        usable: usable !== undefined && usable.size > 0,
        lastError: lastError?.message,
      };
    },
  };
  return source;
}
