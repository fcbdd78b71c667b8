/**
 * `tokenwarden:cache:evict`: the verified-token cache forgot a live entry to make room for a
 * new one. Only evictions for room: not expiries, nor tokens forgotten because their key left
 * the key set. A steady rate means `cache.maxEntries` is smaller than the set of tokens clients
 * keep presenting.
 */
export interface CacheEvictEvent {
  /** Entries held when the eviction happened. */
  readonly size: number;
  /** The configured `cache.maxEntries`. */
  readonly maxEntries: number;
}
