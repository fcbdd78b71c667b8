// How many introspection requests a verifier may start: a token bucket refilled at `rate` per
// second and holding as many. Cached answers cost nothing; only requests to the issuer draw on
// it, so a flood of distinct made-up tokens (which no cache can answer) costs the issuer at most
// `rate` requests a second, and the flood itself gets 503s.

export interface RequestBudget {
  /** Takes one request from the budget; false when it is spent. `now` in milliseconds. */
  take(now: number): boolean;
}

export function createRequestBudget(rate: number): RequestBudget {
  let tokens = rate;
  let refilledAt = Number.NEGATIVE_INFINITY;
  return {
    take(now) {
      // A clock set back refills nothing; one set forward refills at most to the full bucket.
      if (now > refilledAt) {
        tokens = Math.min(rate, tokens + (refilledAt === Number.NEGATIVE_INFINITY ? rate : ((now - refilledAt) / 1000) * rate));
        refilledAt = now;
      }
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
