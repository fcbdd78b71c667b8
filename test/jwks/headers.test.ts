// The header arithmetic behind freshness and Retry-After, checked directly: the loopback
// tests show the key source acts on it, these pin the edge cases.
import { describe, expect, it } from 'vitest';
import { freshnessFromHeaders } from '../../src/jwks/cache-control.js';
import { declaredLength, parseJsonObject, parseRetryAfter, statusError, type HttpResponse } from '../../src/jwks/http.js';

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);

function response(headers: Record<string, string>, body = ''): HttpResponse {
  return { status: 200, header: (name) => headers[name], body: new TextEncoder().encode(body) };
}

describe('freshnessFromHeaders', () => {
  it.each<[string, Record<string, string>, number | undefined]>([
    ['no caching headers', {}, undefined],
    ['max-age', { 'cache-control': 'max-age=120' }, 120],
    ['a quoted max-age', { 'cache-control': 'max-age="60"' }, 60],
    ['max-age among other directives, any case', { 'cache-control': 'public, MAX-AGE=30, must-revalidate' }, 30],
    ['no-cache', { 'cache-control': 'no-cache' }, 0],
    ['no-store after max-age', { 'cache-control': 'max-age=600, no-store' }, 0],
    ['a malformed max-age, falling back to Expires', { 'cache-control': 'max-age=soon', expires: new Date(NOW + 50_000).toUTCString() }, 50],
    ['a directive without max-age and no Expires', { 'cache-control': 'public' }, undefined],
    ['max-age minus Age', { 'cache-control': 'max-age=100', age: '40' }, 60],
    ['Age beyond max-age', { 'cache-control': 'max-age=100', age: '400' }, 0],
    ['a malformed Age, ignored', { 'cache-control': 'max-age=100', age: 'old' }, 100],
    ['Expires against now', { expires: new Date(NOW + 90_000).toUTCString() }, 90],
    [
      'Expires against Date',
      { date: new Date(NOW - 500_000).toUTCString(), expires: new Date(NOW - 400_000).toUTCString() },
      100,
    ],
    ['Expires in the past', { expires: new Date(NOW - 1000).toUTCString() }, 0],
    ['an invalid Expires (already expired)', { expires: '0' }, 0],
    ['an Expires that is no date at all (already expired)', { expires: 'never' }, 0],
    ['Expires minus Age', { expires: new Date(NOW + 90_000).toUTCString(), age: '30' }, 60],
  ])('reads %s', (_name, headers, expected) => {
    expect(freshnessFromHeaders(response(headers), NOW)).toBe(expected);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter(' 120 ')).toBe(120);
  });

  it('ignores a date-shaped value that is not a date', () => {
    expect(parseRetryAfter('Sun, 99 Foo 2020 25:61:61 GMT')).toBeUndefined();
  });

  it('reads the obsolete RFC 850 date form too', () => {
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(0);
  });

  it('reads an HTTP date as seconds from now, never negative', () => {
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    const seconds = parseRetryAfter(inAMinute) ?? Number.NaN;
    expect(seconds).toBeGreaterThan(58);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(parseRetryAfter(new Date(Date.now() - 60_000).toUTCString())).toBe(0);
  });

  it.each([undefined, '', 'soon', 'tomorrow at noon', '2099-01-01'])('ignores %j', (value) => {
    expect(parseRetryAfter(value)).toBeUndefined();
  });

  it.each(['-5', '1.5'])('asks for no delay on the malformed %j', (value) => {
    expect(parseRetryAfter(value) ?? 0).toBe(0);
  });

  it('is carried by the error of a 429 or 503 answer', () => {
    const headers: Record<string, string> = { 'retry-after': '30' };
    expect(statusError(429, (name) => headers[name]).retryAfter).toBe(30);
    expect(statusError(503, () => undefined).retryAfter).toBeUndefined();
    expect(statusError(302, () => undefined).message).toMatch(/redirects are not followed/);
  });
});

describe('declaredLength and parseJsonObject', () => {
  it.each<[string | undefined, number | undefined]>([
    ['1024', 1024],
    [' 7 ', 7],
    ['-1', undefined],
    ['12abc', undefined],
    [undefined, undefined],
  ])('reads Content-Length %j as %j', (value, expected) => {
    expect(declaredLength(value)).toBe(expected);
  });

  it.each([
    ['', /not valid JSON/],
    ['null', /not a JSON object/],
    ['[1]', /not a JSON object/],
    ['"keys"', /not a JSON object/],
  ])('refuses the body %j', (body, message) => {
    expect(() => parseJsonObject(response({}, body))).toThrow(message);
  });
});
