// private_key_jwt (RFC 7523 §2.2): the endpoint receives a fresh assertion per request, signed
// with the configured key, naming our client and addressed to the endpoint.
import { generateKeyPairSync } from 'node:crypto';
import { jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { closeServers } from '../helpers/jwks-server.js';
import { CLIENT_ID, activeClaims, opaqueToken, serveIntrospection, verifierFor } from './support.js';

afterEach(closeServers);

describe('private_key_jwt', () => {
  it.each([
    ['a private JWK', 'jwk'],
    ['a KeyObject', 'keyObject'],
  ] as const)('authenticates with an assertion signed by %s', async (_name, form) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const target = await serveIntrospection();
    const tokens = [opaqueToken(), opaqueToken()];
    for (const token of tokens) target.active.set(token, activeClaims(target.issuer));
    const key = form === 'jwk' ? { ...privateKey.export({ format: 'jwk' }), kid: 'rs-key' } : privateKey;
    const verifier = verifierFor(target, { clientSecret: undefined, privateKey: key });

    for (const token of tokens) await verifier.verifyAccessToken(token);

    expect(target.seen).toHaveLength(2);
    const ids = new Set<string>();
    for (const seen of target.seen) {
      expect(seen.authorization).toBeUndefined();
      expect(seen.form.get('client_id')).toBe(CLIENT_ID);
      expect(seen.form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      const { payload, protectedHeader } = await jwtVerify(seen.form.get('client_assertion') ?? '', publicKey, {
        issuer: CLIENT_ID,
        subject: CLIENT_ID,
        audience: target.endpoint,
        algorithms: ['ES256'],
      });
      expect(protectedHeader.kid).toBe(form === 'jwk' ? 'rs-key' : undefined);
      expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(60);
      ids.add(payload.jti ?? '');
    }
    expect(ids.size).toBe(2);
  });
});
