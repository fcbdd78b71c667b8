import { LRUCache } from 'lru-cache';
import type { Algorithm } from '../token/algorithms.js';

/**
 * When each key id missing from the key set was first seen, counted in key-set fetches started
 * before then. Only a fetch that started after a kid was first seen can say the kid does not
 * exist: an earlier one may have been answered before the issuer published the key. So a token
 * signed with a key published a moment ago is told "cannot tell yet" (503), never "invalid"
 * (401), however often strangers' kids make the source fetch.
 *
 * Bounded: a kid forgotten to make room is simply undecided again until the next fetch, which
 * can only turn a 401 into a 503, never the reverse.
 */
export interface KidSightings {
  /** Records that a token with this `kid` (and `alg`, for tokens without one) found no key, unless already recorded. */
  see(alg: Algorithm, kid: string | undefined, fetchesStarted: number): void;
  /** True when fetch number `fetch` (counting from 1) started after this kid was first seen. */
  decidedBy(alg: Algorithm, kid: string | undefined, fetch: number): boolean;
}

// Kids are the token author's choice and may be long: the record is bounded by characters
// kept as well as by entries, so a flood of made-up kids costs a fixed amount of memory.
const MAX_KIDS = 10_000;
const MAX_KID_CHARACTERS = 1_000_000;

export function createKidSightings(): KidSightings {
  const byKid = new LRUCache<string, number>({
    max: MAX_KIDS,
    maxSize: MAX_KID_CHARACTERS,
    sizeCalculation: (_, kid) => Math.max(1, kid.length),
  });
  // Tokens without a kid are looked up by alg alone; a handful of algorithms at most.
  const withoutKid = new Map<Algorithm, number>();

  return {
    see(alg, kid, fetchesStarted) {
      if (kid === undefined) {
        if (!withoutKid.has(alg)) withoutKid.set(alg, fetchesStarted);
      } else if (!byKid.has(kid)) {
        byKid.set(kid, fetchesStarted);
      }
    },
    decidedBy(alg, kid, fetch) {
      const first = kid === undefined ? withoutKid.get(alg) : byKid.get(kid);
      return first !== undefined && fetch > first;
    },
  };
}
