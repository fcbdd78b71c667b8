import { describe, expect, it } from 'vitest';
import { normalisePath, originalRequest } from '../../src/gateway/original-request.js';
import { createTrustedProxies, parseRange } from '../../src/gateway/trusted-proxies.js';

describe('trusted proxies', () => {
  const trusted = createTrustedProxies(['127.0.0.1', '10.0.0.0/8', 'fd00::/8', '::1']);

  it.each([
    ['127.0.0.1', true],
    ['127.0.0.2', false],
    ['10.200.3.4', true],
    ['11.0.0.1', false],
    ['::ffff:10.1.2.3', true],
    ['::ffff:192.168.0.1', false],
    ['fd12:3456::1', true],
    ['fe80::1', false],
    ['::1', true],
    [undefined, false],
  ])('%s is trusted: %s', (address, expected) => {
    expect(trusted.trusts(address)).toBe(expected);
  });

  it('refuses what is not an address or a range', () => {
    for (const entry of ['10.0.0.0/33', '10.0.0/8', 'localhost', '::1/129', '1.2.3.4/8/8', '1.2.3.4/x']) expect(parseRange(entry), entry).toBeUndefined();
    expect(createTrustedProxies([]).trusts('127.0.0.1')).toBe(false);
  });
});

describe('the original request', () => {
  const received = (headers: Record<string, string>, trusted = true, url = '/check', method = 'GET') => ({ method, url, headers, trusted });

  it('reads nginx\'s X-Original-* headers, Traefik\'s X-Forwarded-* and Envoy\'s prefixed path, each only for its proxy', () => {
    const both = { 'x-original-uri': '/orders/1?x=1', 'x-original-method': 'DELETE', 'x-forwarded-uri': '/public', 'x-forwarded-method': 'GET' };
    expect(originalRequest(received(both), 'nginx', '/ext-authz')).toMatchObject({ method: 'DELETE', path: '/orders/1' });
    expect(originalRequest(received(both), 'traefik', '/ext-authz')).toMatchObject({ method: 'GET', path: '/public' });
    expect(originalRequest(received({}, true, '/ext-authz/orders/2?y', 'PUT'), 'envoy', '/ext-authz')).toMatchObject({ method: 'PUT', path: '/orders/2' });
    expect(originalRequest(received({}, true, '/ext-authz', 'GET'), 'envoy', '/ext-authz')).toMatchObject({ method: 'GET', path: '/' });
  });

  it('tells the URL the client called from the trusted proxy\'s scheme and host headers, for a DPoP proof\'s htu', () => {
    const nginx = { 'x-original-uri': '/orders/1?x=1', 'x-original-method': 'GET', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com', host: 'tokenwarden' };
    expect(originalRequest(received(nginx), 'nginx', '/ext-authz')).toEqual({ method: 'GET', path: '/orders/1', url: 'https://api.example.com/orders/1?x=1' });
    const traefik = { 'x-forwarded-uri': '/a', 'x-forwarded-method': 'POST', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'api.example.com:8080' };
    expect(originalRequest(received(traefik), 'traefik', '/ext-authz')).toEqual({ method: 'POST', path: '/a', url: 'http://api.example.com:8080/a' });
    const envoy = { host: 'api.example.com', 'x-forwarded-proto': 'https' };
    expect(originalRequest(received(envoy, true, '/ext-authz/orders?q=1', 'PUT'), 'envoy', '/ext-authz')).toEqual({ method: 'PUT', path: '/orders', url: 'https://api.example.com/orders?q=1' });
    // A scheme that is not http(s) makes an URL no proof can name.
    expect(originalRequest(received({ ...nginx, 'x-forwarded-proto': 'javascript' }), 'nginx', '/ext-authz')).toMatchObject({ url: '-://api.example.com/orders/1?x=1' });
    // From an untrusted peer, X-Forwarded-Proto and -Host are not believed: the request is judged as it arrived.
    const direct = originalRequest(received({ host: '127.0.0.1:8081', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' }, false, '/orders'), 'nginx', '/ext-authz');
    expect(direct).toEqual({ method: 'GET', path: '/orders', url: 'http://127.0.0.1:8081/orders' });
  });

  it('refuses forwarding headers from an untrusted peer, and judges a plain request as it arrived', () => {
    expect(originalRequest(received({ 'x-original-uri': '/public' }, false), 'nginx', '/ext-authz')).toBe('untrusted_forwarding');
    expect(originalRequest(received({ 'x-forwarded-method': 'GET' }, false), 'traefik', '/ext-authz')).toBe('untrusted_forwarding');
    expect(originalRequest(received({}, false, '/orders/3', 'POST'), 'nginx', '/ext-authz')).toMatchObject({ method: 'POST', path: '/orders/3' });
  });

  it('refuses a forwarded client certificate from an untrusted peer, once a certificate header is configured', () => {
    const forged = { ...received({ 'x-client-cert': 'anything' }, false, '/orders'), certificateHeader: 'x-client-cert' };
    expect(originalRequest(forged, 'nginx', '/ext-authz')).toBe('untrusted_forwarding');
    expect(originalRequest({ ...forged, trusted: true, headers: { ...forged.headers, 'x-original-uri': '/orders' } }, 'nginx', '/ext-authz')).toMatchObject({ path: '/orders' });
    expect(originalRequest({ ...forged, certificateHeader: undefined }, 'nginx', '/ext-authz')).toMatchObject({ path: '/orders' });
  });

  it('refuses a trusted proxy\'s request that does not say which request it is about', () => {
    expect(originalRequest(received({}), 'nginx', '/ext-authz')).toBe('missing_forwarding');
    expect(originalRequest(received({ 'x-forwarded-uri': '/a', 'x-forwarded-method': 'get;' }), 'traefik', '/ext-authz')).toBe('missing_forwarding');
    expect(originalRequest(received({}, true, '/other/orders'), 'envoy', '/ext-authz')).toBe('missing_forwarding');
    expect(originalRequest(received({}, true, '/ext-authzorders'), 'envoy', '/ext-authz')).toBe('missing_forwarding');
    expect(originalRequest(received({ 'x-original-uri': '/%zz' }), 'nginx', '/ext-authz')).toBe('bad_path');
  });

  it.each([
    ['/orders', '/orders'],
    ['/orders/', '/orders/'],
    ['/a//b', '/a/b'],
    ['/a/./b', '/a/b'],
    ['/public/../admin', '/admin'],
    ['/public/%2e%2e/admin', '/admin'],
    ['/a/b/..', '/a/'],
    ['/a%2Fb', '/a/b'],
    ['/caf%C3%A9', '/café'],
    ['/x?y=/../z', '/x'],
    ['/..', undefined],
    ['/%00', undefined],
    ['orders', undefined],
  ])('normalises %s to %s', (target, expected) => {
    expect(normalisePath(target)).toBe(expected);
  });
});
