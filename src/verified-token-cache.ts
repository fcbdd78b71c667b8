import { LRUCache } from 'lru-cache';
import type { CacheEvictEvent } from './events/cache.js';
import { SILENT, type EventSink } from './events/sink.js';

/** What a remembered token needs to be re-checked on its next presentation. */
export interface RememberedToken {
  /** The exact token text: a hit counts only when the presented token equals it. */
  readonly token: string;
}

/**
 * The tokens a verifier has verified, by their exact text. Bounded by an LRU of `maxEntries`;
 * what an entry holds is re-checked by the verifier on every hit.
 *
 * A token is remembered from its second verification on. Most tokens in a busy service are
 * seen once; storing each of them would cost memory and garbage collection on every request
 * and push out the tokens clients keep presenting, which are the ones worth remembering. So a
 * first verification only leaves the token's fingerprint in a fixed-size table (a doorkeeper,
 * as in TinyLFU), and a token whose fingerprint is already there is admitted.
 */
export interface VerifiedTokenCache<Entry extends RememberedToken> {
  /** The entry remembered for exactly this token text. */
  get(token: string): Entry | undefined;
  /** Records a token that just verified; remembers it if it verified before. */
  admit(entry: Entry): void;
  /** Forgets a token (it expired, or its key left the key set). */
  delete(token: string): void;
}

// Doorkeeper slots: twice the entries, as a power of two, within these bounds (4 bytes each).
const MIN_SLOTS = 1 << 10;
const MAX_SLOTS = 1 << 20;

/** `evictions` hears of each entry forgotten to make room for another. */
export function createVerifiedTokenCache<Entry extends RememberedToken>(
  maxEntries: number,
  evictions: EventSink<CacheEvictEvent> = SILENT,
): VerifiedTokenCache<Entry> {
  const entries = new LRUCache<number, Entry>({ max: maxEntries });
  let slots = MIN_SLOTS;
  while (slots < 2 * maxEntries && slots < MAX_SLOTS) slots *= 2;
  // Fingerprint + 1 of a token verified once, so that the zero of an empty slot matches nothing.
  const seen = new Int32Array(slots);
  const mask = slots - 1;

  return {
    get(token) {
      const print = fingerprint(token);
      // A remembered token left its fingerprint here when it was first verified. Most tokens
      // presented were never verified before, and this one read turns them away without
      // touching the LRU. If a one-off token has since taken the slot, a remembered token is
      // merely verified again, which puts its fingerprint back.
      if (seen[print & mask] !== print + 1) return undefined;
      const entry = entries.get(print);
      return entry !== undefined && entry.token === token ? entry : undefined;
    },
    admit(entry) {
      const print = fingerprint(entry.token);
      const slot = print & mask;
      if (seen[slot] !== print + 1) {
        seen[slot] = print + 1;
        return;
      }
      // A full LRU drops its least recently used entry to take a new key.
      if (evictions.hasSubscribers && entries.size >= maxEntries && !entries.has(print)) {
        evictions.publish({ size: entries.size, maxEntries });
      }
      entries.set(print, entry);
    },
    delete(token) {
      const print = fingerprint(token);
      if (entries.peek(print)?.token === token) entries.delete(print);
    },
  };
}

const FINGERPRINT_CHARS = 8;

/**
 * 30 bits from the last characters of a token: its signature, random to anyone without the
 * issuer's key. Reading a few characters costs nothing next to hashing the whole token (hundreds
 * of characters, new on every request). Two tokens with one fingerprint merely displace each
 * other, since a hit also requires the exact token text and only verified tokens are stored.
 * 30 bits keep it a small integer, which a Map hashes for free.
 */
export function fingerprint(token: string): number {
  let hash = 0x811c9dc5; // FNV-1a
  for (let i = Math.max(0, token.length - FINGERPRINT_CHARS); i < token.length; i++) {
    hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193);
  }
  return hash & 0x3fffffff;
}
