import { describe, expect, it } from 'vitest';
import { httpTarget } from '../../src/dpop/htu.js';

const API = 'https://api.example.com';
const target = (origin: string, path: string) => ({ origin, path });

// [url, as a request URL, as a proof's htu]: what RFC 3986 normalisation makes of each.
const CASES: readonly (readonly [string, ReturnType<typeof target> | undefined, ReturnType<typeof target> | undefined])[] = [
  ['HTTPS://API.Example.COM:443/a/./b/../c', target(API, '/a/c'), target(API, '/a/c')],
  [`${API}/%7euser/%2f%41%3a`, target(API, '/~user/%2FA%3A'), target(API, '/~user/%2FA%3A')],
  ['http://api.example.com:80/orders?x=1#frag', target('http://api.example.com', '/orders'), undefined],
  ['https://user:pass@api.example.com/orders', target(API, '/orders'), undefined],
  [API, target(API, '/'), target(API, '/')],
  [`${API}/caf\u00e9/\u00e4 b`, target(API, '/caf%C3%A9/%C3%A4%20b'), target(API, '/caf%C3%A9/%C3%A4%20b')],
  ['https://b\u00fccher.example/x', target('https://xn--bcher-kva.example', '/x'), target('https://xn--bcher-kva.example', '/x')],
  ['https://[::1]:8443/p', target('https://[::1]:8443', '/p'), target('https://[::1]:8443', '/p')],
  [`${API}/a%2e%2E/b`, target(API, '/a../b'), target(API, '/a../b')],
  [`${API}\\\\x\\y`, target(API, '//x/y'), target(API, '//x/y')],
  [`${API}/x?`, target(API, '/x'), undefined],
  [`${API}/x#`, target(API, '/x'), undefined],
  ['ftp://api.example.com/x', undefined, undefined],
  [`${API}:99999/x`, undefined, undefined],
  ['not a url', undefined, undefined],
  ['/relative/path', undefined, undefined],
];

describe('httpTarget', () => {
  it('normalises tricky URLs the same way the first time and every time after', () => {
    for (let time = 0; time < 3; time++) {
      for (const [url, asRequest, asHtu] of CASES) {
        expect(httpTarget(url, false), url).toEqual(asRequest);
        expect(httpTarget(url, true), url).toEqual(asHtu);
      }
    }
  });

  it('keeps a request URL and a proof htu of the same text apart', () => {
    const url = `${API}/orders?page=2`;
    expect(httpTarget(url, false)).toEqual(target(API, '/orders'));
    expect(httpTarget(url, true)).toBeUndefined();
    expect(httpTarget(url, false)).toEqual(target(API, '/orders'));
  });

  it('answers the same after more distinct URLs than it remembers', () => {
    for (let i = 0; i < 1000; i++) {
      expect(httpTarget(`${API}/orders/%7e${i}`, true)).toEqual(target(API, `/orders/~${i}`));
    }
    for (const [url, asRequest, asHtu] of CASES) {
      expect(httpTarget(url, false), url).toEqual(asRequest);
      expect(httpTarget(url, true), url).toEqual(asHtu);
    }
  });

  it('normalises long URLs, which it does not remember, the same way', () => {
    const long = `${API}/${'a/'.repeat(400)}%7e`;
    const expected = target(API, `/${'a/'.repeat(400)}~`);
    expect(httpTarget(long, true)).toEqual(expected);
    expect(httpTarget(long, true)).toEqual(expected);
    expect(httpTarget(`${long}?q`, false)).toEqual(expected);
  });

  it('hands out targets nobody can change for the next request', () => {
    const first = httpTarget(`${API}/frozen`, false) as { origin: string; path: string };
    expect(Object.isFrozen(first)).toBe(true);
    expect(httpTarget(`${API}/frozen`, false)).toEqual(target(API, '/frozen'));
  });

  it('refuses what is not a string or is too long', () => {
    expect(httpTarget(42, false)).toBeUndefined();
    expect(httpTarget(`${API}/${'x'.repeat(8200)}`, false)).toBeUndefined();
  });
});
