// Stateless server nonces (RFC 9449 §8, §9): a nonce names a time window and carries an HMAC of
// it under the configured secret, so every instance holding the secret issues and accepts the
// same nonces without sharing any state. A nonce is accepted in the window it names and the
// next, so it lives between `lifetime` and twice that. With several secrets the first signs
// and all verify: rotation adds a new secret first, and removes the old one once every
// instance has the new one and a lifetime has passed.
import type { Digests } from './digest.js';
import { equalInConstantTime } from './digest.js';

/** Issues and checks nonces; both answers may be promises on runtimes without node:crypto. */
export interface NonceSource {
  /** The nonce to hand out now. */
  current(now: number): string | Promise<string>;
  /** True when `nonce` was issued by one of the secrets for this window or the previous one. */
  accepts(nonce: unknown, now: number): boolean | Promise<boolean>;
}

const NONCE = /^([0-9a-z]{1,11})\.([A-Za-z0-9_-]{43})$/;

/** `secrets` are already checked (at least 32 bytes each); `lifetime` in seconds. */
export function createNonceSource(secrets: readonly Uint8Array[], lifetime: number, digests: Digests): NonceSource {
  // The MACs of the two windows in use, per secret, computed once per window.
  const macs = new Map<number, Promise<string[]> | string[]>();

  function macsOf(window: number): Promise<string[]> | string[] {
    let known = macs.get(window);
    if (known !== undefined) return known;
    const input = `tokenwarden-dpop-nonce.${window}`;
    const computed = secrets.map((secret) => digests.hmacSha256(secret, input));
    known = computed.some((mac) => typeof mac !== 'string') ? Promise.all(computed) : (computed as string[]);
    // Only the current window and the one before are ever asked for.
    for (const old of macs.keys()) if (old < window - 1) macs.delete(old);
    macs.set(window, known);
    return known;
  }

  const windowOf = (now: number): number => Math.floor(now / lifetime);
  const format = (window: number, list: readonly string[]): string => `${window.toString(36)}.${list[0] as string}`;

  return {
    current(now) {
      const window = windowOf(now);
      const list = macsOf(window);
      return Array.isArray(list) ? format(window, list) : list.then((resolved) => format(window, resolved));
    },
    accepts(nonce, now) {
      if (typeof nonce !== 'string') return false;
      const match = NONCE.exec(nonce);
      if (match === null) return false;
      const window = Number.parseInt(match[1] as string, 36);
      const current = windowOf(now);
      if (window !== current && window !== current - 1) return false;
      const mac = match[2] as string;
      const check = (list: readonly string[]): boolean => list.some((expected) => equalInConstantTime(expected, mac));
      const list = macsOf(window);
      return Array.isArray(list) ? check(list) : list.then(check);
    },
  };
}
