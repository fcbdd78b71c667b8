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
 * first verification only marks the token in a doorkeeper (a Bloom filter, as in TinyLFU), and
 * a token the doorkeeper has seen is admitted.
 */
export interface VerifiedTokenCache<Entry extends RememberedToken> {
  /** The entry remembered for exactly this token text. */
  get(token: string): Entry | undefined;
  /** Records a token that just verified; remembers it if it verified before. */
  admit(entry: Entry): void;
  /** Forgets a token (it expired, or its key left the key set). */
  delete(token: string): void;
}

// Doorkeeper bits per first sighting it must remember. With three probes, a filter holding that
// many sightings answers "seen" for a token it never saw about 1.7% of the time
// ((1 - e^(-3/10))^3): such a token is merely remembered on its first verification.
const BITS_PER_SIGHTING = 10;
const PROBES = 3;
// Bits of one generation, a power of two: 1 024 first sightings at least, 2 MiB at most.
const MIN_BITS = 1 << 14;
const MAX_BITS = 1 << 24;

/** `evictions` hears of each entry forgotten to make room for another. */
export function createVerifiedTokenCache<Entry extends RememberedToken>(
  maxEntries: number,
  evictions: EventSink<CacheEvictEvent> = SILENT,
): VerifiedTokenCache<Entry> {
  const entries = new LRUCache<number, Entry>({ max: maxEntries });
  const doorkeeper = createDoorkeeper(maxEntries);
  // A verification looks its token up, then admits it: the print of the last token looked up
  // serves the admission, unless another lookup came in between.
  let lastToken: string | undefined;
  let lastPrint = 0;
  const printOf = (token: string): number => {
    if (token !== lastToken) {
      lastToken = token;
      lastPrint = fingerprint(token);
    }
    return lastPrint;
  };

  return {
    get(token) {
      const entry = entries.get(printOf(token));
      return entry !== undefined && entry.token === token ? entry : undefined;
    },
    admit(entry) {
      const print = printOf(entry.token);
      if (!doorkeeper.sawBefore(print, secondFingerprint(entry.token))) return;
      // A full LRU drops its least recently used entry to take a new key.
      if (evictions.hasSubscribers && entries.size >= maxEntries && !entries.has(print)) {
        evictions.publish({ size: entries.size, maxEntries });
      }
      entries.set(print, entry);
    },
    delete(token) {
      const print = printOf(token);
      if (entries.peek(print)?.token === token) entries.delete(print);
    },
  };
}

/** First sightings of tokens, in bounded memory. */
interface Doorkeeper {
  /** True when this token was marked before; marks it otherwise. */
  sawBefore(first: number, second: number): boolean;
}

/**
 * Two generations of a Bloom filter, each sized for `maxEntries` sightings. New sightings go
 * into the current one; once it holds that many, it becomes the previous one and the oldest is
 * cleared. A sighting is therefore remembered across at least `maxEntries` later first
 * sightings, whatever else is in flight: a token presented again within that many new tokens is
 * admitted unless the cache itself cannot hold it. One slot per token (the design before) lost a
 * first sighting to any other token that hashed to the same slot.
 */
function createDoorkeeper(maxEntries: number): Doorkeeper {
  let bits = MIN_BITS;
  while (bits < BITS_PER_SIGHTING * maxEntries && bits < MAX_BITS) bits *= 2;
  const capacity = Math.max(1, Math.floor(bits / BITS_PER_SIGHTING));
  const mask = bits - 1;
  let current = new Int32Array(bits / 32);
  let previous = new Int32Array(bits / 32);
  let marked = 0;

  const holds = (filter: Int32Array, first: number, step: number): boolean => {
    for (let probe = 0, at = first; probe < PROBES; probe++, at += step) {
      const bit = at & mask;
      if ((filter[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  };

  return {
    sawBefore(first, second) {
      // Double hashing (Kirsch and Mitzenmacher): probe i is first + i * step. An odd step
      // visits distinct bits of a power-of-two table.
      const step = second | 1;
      if (holds(current, first, step) || holds(previous, first, step)) return true;
      if (marked === capacity) {
        [previous, current] = [current, previous];
        current.fill(0);
        marked = 0;
      }
      for (let probe = 0, at = first; probe < PROBES; probe++, at += step) {
        const bit = at & mask;
        current[bit >>> 5]! |= 1 << (bit & 31);
      }
      marked++;
      return false;
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

/** Another 30 bits, from the 8 characters before those `fingerprint` reads. */
function secondFingerprint(token: string): number {
  let hash = 0x01000193 ^ 0x5bd1e995;
  const end = Math.max(0, token.length - FINGERPRINT_CHARS);
  for (let i = Math.max(0, end - FINGERPRINT_CHARS); i < end; i++) {
    hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193);
  }
  return hash & 0x3fffffff;
}
