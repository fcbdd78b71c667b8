// Turns the reply to one MGET of a token's keys into what each key says. The values are those
// scripts.ts writes: a token entry holds its expiry, a subject entry "before:expiry".
import { isTokenKey } from '../keys.js';
import type { Revocation } from '../rules.js';

/** What Redis holds under a key: `false` nothing, otherwise the revocation it holds. */
export type Known = false | Revocation;

/** What one key of the reply says, and until when it says it (seconds since the epoch). */
export interface Reading {
  readonly known: Known;
  /** When Redis forgets the entry; unused for `known: false`. NaN, when unreadable, is never remembered. */
  readonly until: number;
}

/**
 * A subject entry whose cut-off cannot be read: it revokes the whole subject rather than none of
 * it, and is never remembered.
 */
export const UNREADABLE = 'unreadable';

/** What one key of the reply says: a reading, or an entry that cannot be read. */
export type KeyReading = Reading | typeof UNREADABLE;

/** Reads the reply to `MGET` of `keys`, one reading per key; throws when it is not one value per key. */
export function readMget(keys: readonly string[], reply: unknown): KeyReading[] {
  if (!Array.isArray(reply) || reply.length !== keys.length) throw new Error('unexpected reply to MGET');
  return keys.map((key, i): KeyReading => {
    const value: unknown = reply[i];
    if (value === null || value === undefined) return NOTHING;
    const text = String(value);
    if (isTokenKey(key)) return { known: true, until: Number(text) };
    const [beforeText, untilText] = text.split(':');
    const before = Number(beforeText);
    if (!Number.isFinite(before)) return UNREADABLE;
    return { known: { before }, until: Number(untilText) };
  });
}

const NOTHING: Reading = Object.freeze({ known: false, until: 0 });
