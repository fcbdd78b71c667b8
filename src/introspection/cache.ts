// The introspection answers of recent tokens, by a SHA-256 of the token: the cache holds no
// token, so a heap dump or a debugger shows nothing a client could present. An active answer
// is kept until the earlier of the token's `exp` and `maxAge`, an inactive one for
// `inactiveMaxAge`; an entry past its end is never served.
import { LRUCache } from 'lru-cache';
import type { Answer } from './response.js';

export interface AnswerCache {
  /** The answer kept for this token hash, unless its time is up. `now` in milliseconds. */
  get(key: string, now: number): Answer | undefined;
  /** Keeps `answer` for its time (nothing, when that is zero). `now` in milliseconds. */
  set(key: string, answer: Answer, now: number): void;
}

interface Entry {
  readonly answer: Answer;
  /** Milliseconds since the epoch: served strictly before this. */
  readonly until: number;
}

export function createAnswerCache(settings: { maxEntries: number; maxAge: number; inactiveMaxAge: number }): AnswerCache {
  const entries = new LRUCache<string, Entry>({ max: settings.maxEntries });
  return {
    get(key, now) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (now < entry.until) return entry.answer;
      entries.delete(key);
      return undefined;
    },
    set(key, answer, now) {
      let until: number;
      if (answer.active) {
        const { exp } = answer.claims;
        // An answer without a usable exp is refused by the claim rules anyway: nothing to keep.
        if (typeof exp !== 'number' || !Number.isFinite(exp)) return;
        until = Math.min(now + settings.maxAge * 1000, exp * 1000);
      } else {
        until = now + settings.inactiveMaxAge * 1000;
      }
      if (until > now) entries.set(key, { answer, until });
    },
  };
}
