// The `introspection` option is checked once, at construction: misuse throws naming the option,
// and never repeats the client secret.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/verifier.js';

const base = { issuer: 'https://auth.example.com', audience: 'orders-api' };
const basic = { clientId: 'rs', clientSecret: 'top-secret-value-0123456789' };
const make = (introspection: unknown, extra: Record<string, unknown> = {}) => () =>
  createVerifier({ ...base, ...extra, introspection } as never);

describe('the introspection option', () => {
  it('accepts client credentials alone (endpoint discovered) and every documented setting', () => {
    expect(make(basic)).not.toThrow();
    expect(
      make({
        ...basic,
        endpoint: 'https://auth.example.com/introspect',
        tokens: 'all',
        timeout: 2,
        maxBytes: 4096,
        maxRequestsPerSecond: 10,
        jwtResponse: true,
        cache: { maxEntries: 10, maxAge: 30, inactiveMaxAge: 0 },
        fetch: globalThis.fetch,
      }),
    ).not.toThrow();
    expect(make({ ...basic, cache: false })).not.toThrow();
  });

  it.each([
    ['not an object', 'x', /option "introspection" must be an object/],
    ['an unknown key', { ...basic, endpiont: 'x' }, /unknown option "introspection.endpiont"/],
    ['no clientId', { clientSecret: 's' }, /"introspection.clientId"/],
    ['neither secret nor key', { clientId: 'rs' }, /exactly one of clientSecret .* and privateKey/],
    ['an http endpoint elsewhere than loopback', { ...basic, endpoint: 'http://auth.example.com/i' }, /"introspection.endpoint" must use https/],
    ['an endpoint with credentials', { ...basic, endpoint: 'https://u:p@auth.example.com/i' }, /must not carry credentials/],
    ['tokens: "jwt"', { ...basic, tokens: 'jwt' }, /"introspection.tokens" must be "opaque" or "all"/],
    ['a timeout over a minute', { ...basic, timeout: 61 }, /"introspection.timeout" must be between 0.01 and 60/],
    ['maxBytes under 256', { ...basic, maxBytes: 100 }, /"introspection.maxBytes" must be between 256/],
    ['maxRequestsPerSecond 0', { ...basic, maxRequestsPerSecond: 0 }, /"introspection.maxRequestsPerSecond"/],
    ['a cache maxAge of 0', { ...basic, cache: { maxAge: 0 } }, /"introspection.cache.maxAge" must be between 1 and 86400/],
    ['an unknown cache key', { ...basic, cache: { ttl: 1 } }, /unknown option "introspection.cache.ttl"/],
    ['a public JWK as privateKey', { clientId: 'rs', privateKey: { kty: 'EC', crv: 'P-256', x: 'a', y: 'b' } }, /"introspection.privateKey"/],
    ['an unknown assertion algorithm', { clientId: 'rs', privateKey: { kty: 'oct', d: 'x' } }, /"introspection.privateKeyAlgorithm"/],
    ['privateKeyAlgorithm with a secret', { ...basic, privateKeyAlgorithm: 'ES256' }, /"introspection.privateKeyAlgorithm" is only for privateKey/],
    ['jwtResponse not a boolean', { ...basic, jwtResponse: 'yes' }, /"introspection.jwtResponse" must be a boolean/],
  ])('refuses %s', (_name, value, message) => {
    expect(make(value)).toThrow(message);
  });

  it('needs the issuer named when the verifier has several, and refuses one it does not trust', () => {
    const issuers = { issuer: ['https://a.example.com', 'https://b.example.com'] };
    expect(make(basic, issuers)).toThrow(/"introspection.issuer"/);
    expect(make({ ...basic, issuer: 'https://c.example.com' }, issuers)).toThrow(/"introspection.issuer" must be one of the configured issuers/);
    expect(make({ ...basic, issuer: 'https://b.example.com' }, issuers)).not.toThrow();
  });

  it('accepts a private JWK or KeyObject, its algorithm taken from the key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    expect(make({ clientId: 'rs', privateKey: ec })).not.toThrow();
    expect(make({ clientId: 'rs', privateKey: ec.export({ format: 'jwk' }) })).not.toThrow();
    const ed = generateKeyPairSync('ed25519').privateKey;
    expect(make({ clientId: 'rs', privateKey: ed })).not.toThrow();
  });

  it('never repeats the secret in an error about it', () => {
    const secret = 'a-secret-that-must-not-leak-42';
    for (const value of [{ clientId: 'rs', clientSecret: secret, privateKey: {} }, { clientId: '', clientSecret: secret }]) {
      try {
        make(value)();
        expect.unreachable();
      } catch (error) {
        expect(String((error as Error).message)).not.toContain(secret);
      }
    }
  });
});
