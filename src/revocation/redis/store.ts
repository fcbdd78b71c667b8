// createRedisRevocationStore: lookups (one MGET of a token's keys), writes (one EVAL that writes
// and announces) and fail-open, over the local tier that answers most lookups from memory.
import { randomUUID } from 'node:crypto';
import type { AccessTokenClaims } from '../../claims/types.js';
import type { AccessTokenError } from '../../errors.js';
import type { RevocationFailOpenEvent } from '../../events/revocation.js';
import type { EventSink } from '../../events/sink.js';
import type { RevocationChecker } from '../checker.js';
import { lookupKeys, subjectKey, tokenKey } from '../keys.js';
import { checkRevokeArguments, checkRevokeSubjectArguments, failOpenEvent, refuses, revocationUnavailable, stringClaim } from '../rules.js';
import { withCommandTimeout, wrapConnection } from './client.js';
import { createLocalTier, type RedisLocalTierState } from './local-tier.js';
import { resolveOptions, type RedisRevocationStoreOptions } from './options.js';
import { readMget, UNREADABLE, type KeyReading } from './reply.js';
import { REVOKE_SUBJECT, REVOKE_TOKEN } from './scripts.js';

/** A deny list shared by a fleet through Redis; see {@link createRedisRevocationStore}. */
export interface RedisRevocationStore extends RevocationChecker {
  /**
   * Refuses the token with this `jti` until `expiresAt` (its `exp`, seconds since the epoch) plus
   * `clockTolerance`. With `issuer`, only that issuer's token; without, a token with this `jti`
   * from any issuer. Resolves once written to Redis; rejects (`revocation_unavailable`) when
   * not known to be written. Repeating it is harmless, and never shortens a revocation.
   */
  revoke(jti: string, expiresAt: number, issuer?: string): Promise<void>;
  /**
   * Refuses every token of `sub` whose `iat` is before `before` (seconds; default now), and
   * every token of `sub` without `iat`: "log out everywhere". Kept `maxTokenLifetime` plus
   * `clockTolerance` past `before`. With `issuer`, only that issuer's subject.
   */
  revokeSubject(sub: string, before?: number, issuer?: string): Promise<void>;
  /**
   * `true` when revoked. Answers synchronously from the local tier when it can, otherwise asks
   * Redis; throws `revocation_unavailable` when Redis cannot answer (unless `failOpen`).
   */
  isRevoked(claims: AccessTokenClaims): boolean | Promise<boolean>;
  /** Seconds an entry is kept past `exp`; createVerifier checks its own `clockTolerance` against it. */
  readonly clockTolerance: number;
  /** `live` while the local tier answers from memory; `syncing` while it sends lookups to Redis. */
  readonly localTierState: RedisLocalTierState;
  /** Stops the local tier and closes its subscriber connection. Your client stays open. */
  close(): Promise<void>;
}

/**
 * The store of {@link createRedisRevocationStore} (in ./index.ts, which hands it the
 * `tokenwarden:revocation:fail-open` channel), publishing each token fail-open lets through.
 */
export function createRedisStore(options: RedisRevocationStoreOptions, failOpenEvents: EventSink<RevocationFailOpenEvent>): RedisRevocationStore {
  const { client, prefix, clockTolerance, maxTokenLifetime, timeoutMs, failOpen, onFailOpen, localTier } = resolveOptions(options);
  const connection = withCommandTimeout(wrapConnection(client), timeoutMs);
  const eventsChannel = `${prefix}events`;
  const tier = createLocalTier({
    client,
    connection,
    eventsChannel,
    probeChannel: `${prefix}probe:${randomUUID()}`,
    timeoutMs,
    settings: localTier,
  });

  async function lookup(keys: string[], claims: AccessTokenClaims): Promise<boolean> {
    // Stamped before sending: a revocation announced while the MGET is in flight makes its
    // answer stale, and the tier must then not keep it.
    const stamp = tier.stamp();
    let readings: KeyReading[];
    try {
      readings = readMget(keys, await connection.send(['MGET', ...keys.map((key) => prefix + key)]));
    } catch (error) {
      return failure(revocationUnavailable('the revocation lookup in Redis failed', { cause: error, quoteCause: true }), claims);
    }
    const revoked = readings.some((reading) => reading === UNREADABLE || (reading.known !== false && refuses(reading.known, claims)));
    tier.learn(stamp, claims, keys, readings, revoked);
    return revoked;
  }

  // Fail closed by default. Fail-open answers "not revoked" and says which token it let through
  // (by its claims, never the token), since that is the guarantee it gave up.
  function failure(refusal: AccessTokenError, claims: AccessTokenClaims): false {
    if (!failOpen) throw refusal;
    if (failOpenEvents.hasSubscribers) failOpenEvents.publish(failOpenEvent(claims, refusal));
    if (onFailOpen !== undefined) {
      try {
        onFailOpen({ error: refusal, iss: stringClaim(claims.iss), sub: stringClaim(claims.sub), jti: stringClaim(claims.jti) });
      } catch {
        // A failing listener must not turn fail-open into a 503.
      }
    }
    return false;
  }

  async function write(script: string, key: string, args: readonly string[]): Promise<void> {
    try {
      await connection.send(['EVAL', script, '1', prefix + key, ...args, eventsChannel, key]);
    } catch (error) {
      throw revocationUnavailable('the revocation could not be written to Redis', { cause: error, quoteCause: true });
    }
    tier.forget(key);
  }

  return {
    clockTolerance,

    get localTierState() {
      return tier.state;
    },

    isRevoked(claims) {
      const remembered = tier.answer(claims);
      if (remembered !== undefined) return remembered;
      const keys = lookupKeys(claims);
      if (keys.length === 0) return false;
      return lookup(keys, claims);
    },

    async revoke(jti, expiresAt, issuer) {
      checkRevokeArguments(jti, expiresAt, issuer);
      const until = Math.ceil(expiresAt + clockTolerance);
      if (until * 1000 <= Date.now()) return; // the token could no longer be accepted anyway
      await write(REVOKE_TOKEN, tokenKey(jti, issuer), [String(until)]);
    },

    async revokeSubject(sub, before = Date.now() / 1000, issuer) {
      checkRevokeSubjectArguments(sub, before, issuer);
      const keep = maxTokenLifetime + clockTolerance;
      if (Math.ceil(before + keep) * 1000 <= Date.now()) return; // every such token has expired
      await write(REVOKE_SUBJECT, subjectKey(sub, issuer), [String(before), String(keep)]);
    },

    async close() {
      tier.close();
    },
  };
}
