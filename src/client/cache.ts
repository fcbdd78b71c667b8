// One token kept until shortly before it expires, refreshed in the background before that, and
// one request to the issuer however many callers ask at once.

/** A token as the issuer issued it. */
export interface IssuedToken {
  readonly accessToken: string;
  /** `bearer` or `dpop`, lower-cased. */
  readonly tokenType: string;
  /** Seconds, where the issuer said. */
  readonly expiresIn: number | undefined;
}

export interface CacheTiming {
  /** Seconds before expiry at which the token is no longer handed out. */
  readonly refreshMargin: number;
  /** Seconds before that at which a background refresh starts. */
  readonly refreshAhead: number;
}

export interface TokenCache {
  /** The cached token, or a new one; concurrent callers share one request. */
  get(): Promise<IssuedToken>;
  /** Forgets `accessToken` if it is the cached one (a resource server called it invalid). */
  invalidate(accessToken: string): void;
}

interface Entry {
  readonly value: IssuedToken;
  /** Milliseconds since the epoch at which the token stops being handed out. */
  readonly expiresAt: number;
  /** Milliseconds since the epoch from which a background refresh is started. */
  refreshAt: number;
}

/**
 * When `token`, asked for at `requestedAt` (ms), stops being handed out and starts being
 * refreshed. Times count from the request, not the answer: the issuer's clock started before
 * its answer reached us. A token without `expires_in` is not kept.
 */
export function schedule(token: IssuedToken, requestedAt: number, timing: CacheTiming): Entry {
  const lifetime = token.expiresIn ?? 0;
  const usable = lifetime - Math.min(timing.refreshMargin, lifetime / 2);
  const ahead = Math.min(timing.refreshAhead, usable / 2);
  return { value: token, expiresAt: requestedAt + usable * 1000, refreshAt: requestedAt + (usable - ahead) * 1000 };
}

/** A cache of the tokens `fetchToken` gets, timed by `timing`. */
export function createTokenCache(fetchToken: () => Promise<IssuedToken>, timing: CacheTiming): TokenCache {
  let entry: Entry | undefined;
  let inflight: Promise<IssuedToken> | undefined;

  const refresh = (): Promise<IssuedToken> => {
    const requestedAt = Date.now();
    inflight = fetchToken()
      .then((token) => {
        entry = schedule(token, requestedAt, timing);
        return token;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  return {
    get() {
      const now = Date.now();
      if (entry !== undefined && now < entry.expiresAt) {
        if (now >= entry.refreshAt && inflight === undefined) {
          const current = entry;
          // A failed background refresh costs nothing yet: the token in hand is still good.
          // The next try waits until half of what is left has passed, so an issuer that is
          // down is not asked on every call.
          refresh().catch(() => {
            current.refreshAt = Date.now() + (current.expiresAt - Date.now()) / 2;
          });
        }
        return Promise.resolve(entry.value);
      }
      return inflight ?? refresh();
    },
    invalidate(accessToken) {
      if (entry?.value.accessToken === accessToken) entry = undefined;
    },
  };
}
