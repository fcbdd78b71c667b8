// Token exchange (RFC 8693) for the next hop, cached per subject token. The cache key is a
// SHA-256 of the subject token with the parameters: a key may be seen in a heap dump or a debug
// log, a token must not be.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { fail, isPlainObject, knownKeys, stringList } from '../lib/options.js';
import { createTokenCache, type CacheTiming, type TokenCache } from './cache.js';
import type { Grants } from './grant.js';
import { scopeParameter } from './options.js';

/** What to ask for in a token exchange. */
export interface ExchangeOptions {
  /** The `audience` of the new token: the service it will be sent to. @default unset */
  audience?: string;
  /** Scopes of the new token, space-separated or as an array; fewer than the subject token's. @default unset */
  scope?: string | readonly string[];
  /** Resource indicators of the new token (RFC 8707). @default unset */
  resource?: string | readonly string[];
}

export interface Exchanges {
  /** The cache for `subjectToken` exchanged with `options`; checks the arguments (TypeError). */
  cacheFor(subjectToken: unknown, options: unknown): TokenCache;
}

function parametersOf(options: unknown): [string, string][] {
  if (options === undefined) return [];
  if (!isPlainObject(options)) fail('exchange options', 'an object');
  knownKeys('exchange', options, ['audience', 'scope', 'resource']);
  const parameters: [string, string][] = [];
  if (options.audience !== undefined) {
    if (typeof options.audience !== 'string' || options.audience === '') fail('exchange.audience', 'a non-empty string');
    parameters.push(['audience', options.audience]);
  }
  if (options.scope !== undefined) parameters.push(['scope', scopeParameter('exchange.scope', options.scope)]);
  if (options.resource !== undefined) for (const item of stringList('exchange.resource', options.resource)) parameters.push(['resource', item]);
  return parameters;
}

/** The exchanged-token caches of one client, at most `size` of them (least recently used go first). */
export function createExchanges(grants: Grants, size: number, timing: CacheTiming): Exchanges {
  // No refresh ahead: a subject token is exchanged again only when a caller asks for it.
  const cacheTiming = { refreshMargin: timing.refreshMargin, refreshAhead: 0 };
  const caches = new LRUCache<string, TokenCache>({ max: size });
  return {
    cacheFor(subjectToken, options) {
      if (typeof subjectToken !== 'string' || subjectToken === '') throw new TypeError('tokenwarden: exchange needs the subject token as a non-empty string');
      const parameters = parametersOf(options);
      const key = createHash('sha256').update(subjectToken).update('\n').update(JSON.stringify(parameters)).digest('base64url');
      let cache = caches.get(key);
      if (cache === undefined) {
        cache = createTokenCache(() => grants.exchange(subjectToken, parameters), cacheTiming);
        caches.set(key, cache);
      }
      return cache;
    },
  };
}
