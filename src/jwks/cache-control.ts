import type { HttpResponse } from './http.js';

/**
 * How long, in seconds, the server says a response stays fresh: `Cache-Control: max-age`
 * (with `no-cache`/`no-store` meaning zero), else `Expires` against `Date`, minus any `Age`.
 * `undefined` when the response says nothing, so the configured default applies.
 */
export function freshnessFromHeaders(response: HttpResponse, now: number): number | undefined {
  const age = Number(response.header('age') ?? 0);
  const ageSeconds = Number.isFinite(age) && age > 0 ? age : 0;

  const cacheControl = response.header('cache-control');
  if (cacheControl !== undefined) {
    let maxAge: number | undefined;
    for (const part of cacheControl.split(',')) {
      const [rawName = '', rawValue] = part.split('=', 2);
      const name = rawName.trim().toLowerCase();
      if (name === 'no-store' || name === 'no-cache') return 0;
      if (name === 'max-age' && rawValue !== undefined) {
        const value = rawValue.trim().replace(/^"(.*)"$/, '$1');
        if (/^\d+$/.test(value)) maxAge = Number(value);
      }
    }
    if (maxAge !== undefined) return Math.max(0, maxAge - ageSeconds);
  }

  const expires = response.header('expires');
  if (expires !== undefined) {
    const expiresAt = Date.parse(expires);
    // RFC 9111 §5.3: an invalid Expires means "already expired".
    if (Number.isNaN(expiresAt)) return 0;
    const date = Date.parse(response.header('date') ?? '');
    const base = Number.isNaN(date) ? now : date;
    return Math.max(0, (expiresAt - base) / 1000 - ageSeconds);
  }
  return undefined;
}
