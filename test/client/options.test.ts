// createTokenClient checks its options at construction, naming the option that is wrong.
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTokenClient, type TokenClientOptions } from '../../src/client/index.js';

const base = { issuer: 'https://auth.example.com', clientId: 'svc', clientSecret: 'secret' };
const make = (options: Record<string, unknown>) => () => createTokenClient(options as unknown as TokenClientOptions);

describe('createTokenClient options', () => {
  it('accepts each way to authenticate, one at a time', () => {
    expect(make(base)).not.toThrow();
    expect(make({ issuer: base.issuer, clientId: 'svc', privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey })).not.toThrow();
    expect(make({ issuer: base.issuer, clientId: 'svc', tls: { cert: 'PEM', key: 'PEM' } })).not.toThrow();
  });

  it('refuses none or two ways to authenticate', () => {
    expect(make({ issuer: base.issuer, clientId: 'svc' })).toThrow(/"clientSecret".*exactly one/);
    expect(make({ ...base, tls: { cert: 'PEM', key: 'PEM' } })).toThrow(TypeError);
  });

  it('refuses an issuer that is not https, except on loopback', () => {
    expect(make({ ...base, issuer: 'http://auth.example.com' })).toThrow(/"issuer" must use https/);
    expect(make({ ...base, issuer: 'http://127.0.0.1:8080' })).not.toThrow();
  });

  it('names an unknown option (a typo) and a value out of range', () => {
    expect(make({ ...base, refreshMargn: 10 })).toThrow(/unknown option "refreshMargn"/);
    expect(make({ ...base, refreshMargin: -1 })).toThrow(RangeError);
    expect(make({ ...base, retries: 11 })).toThrow(/"retries" must be between 0 and 10/);
    expect(make({ ...base, timeout: 0 })).toThrow(/"timeout"/);
  });

  it('refuses a secret method without a secret, and scopes or resources that cannot be sent', () => {
    expect(make({ issuer: base.issuer, clientId: 'svc', privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, tokenEndpointAuthMethod: 'client_secret_post' })).toThrow(/"tokenEndpointAuthMethod"/);
    expect(make({ ...base, scope: ['a b'] })).toThrow(/"scope"/);
    expect(make({ ...base, resource: 'https://api.example.com/#x' })).toThrow(/"resource" must not have a fragment/);
    expect(make({ ...base, resource: 'not a uri' })).toThrow(/"resource"/);
  });

  it('refuses keys that cannot sign or whose public half cannot be read for DPoP', async () => {
    expect(make({ issuer: base.issuer, clientId: 'svc', privateKey: generateKeyPairSync('ed448').privateKey })).toThrow(/"privateKey" must be an EC/);
    expect(make({ issuer: base.issuer, clientId: 'svc', privateKey: 'PEM' })).toThrow(/"privateKey" must be a private KeyObject, CryptoKey or JWK/);
    const sealed = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    expect(make({ ...base, dpop: { privateKey: sealed.privateKey } })).toThrow(/"dpop.privateKey" must be extractable/);
    expect(make({ ...base, dpop: true })).not.toThrow();
  });
});
