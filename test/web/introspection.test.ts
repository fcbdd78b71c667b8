// Introspection on the web runtime: the global fetch posts the form, WebCrypto hashes the cache
// key and signs a private_key_jwt assertion; the answers are the same as on Node.
import { afterEach, describe, expect, it } from 'vitest';
import { digests } from '../../src/runtime/node.js';
import { closeServers } from '../helpers/jwks-server.js';
import { expectRefusal } from '../helpers/refusal.js';
import { activeClaims, opaqueToken, serveIntrospection, verifierFor } from '../introspection/support.js';

afterEach(closeServers);

describe('introspection on the web runtime', () => {
  it('runs the web runtime here: hashing is asynchronous (WebCrypto)', () => {
    expect(digests.sha256('x')).toBeInstanceOf(Promise);
  });

  it('introspects an opaque token over fetch, caches the answer, and refuses an inactive one', async () => {
    const target = await serveIntrospection();
    const token = opaqueToken();
    target.active.set(token, activeClaims(target.issuer));
    const verifier = verifierFor(target);

    await expect(verifier.verifyAccessToken(token)).resolves.toMatchObject({ sub: 'user-1', iss: target.issuer });
    await verifier.verifyAccessToken(token);
    await expectRefusal(verifier, opaqueToken(), 'token_inactive');

    expect(target.requests()).toBe(2);
    expect(target.seen[0]?.authorization).toMatch(/^Basic /);
  });

  it('authenticates with private_key_jwt from a private JWK', async () => {
    const target = await serveIntrospection();
    const token = opaqueToken();
    target.active.set(token, activeClaims(target.issuer));
    const { privateKey } = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const jwk = await crypto.subtle.exportKey('jwk', privateKey);
    const verifier = verifierFor(target, { clientSecret: undefined, privateKey: jwk as Record<string, unknown> });

    await verifier.verifyAccessToken(token);
    expect(target.seen[0]?.form.get('client_assertion')?.split('.')).toHaveLength(3);
  });
});
