// The web runtime publishes nothing: src/runtime/web.ts gives every layer silent channels, so a
// subscriber on Node's diagnostics channels hears nothing from a verifier built for the web,
// and that build never loads node:diagnostics_channel (see bundle.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, createVerifier } from '../../src/index.js';
import { channels } from '../../src/runtime/node.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { tamper } from '../adapters/support.js';
import { recordEvents } from '../events/support.js';
import { outcomeOf } from '../helpers/refusal.js';
import { expectWebRuntime } from './support.js';

describe('events on the web runtime', () => {
  let issuer: TestIssuer;
  beforeAll(async () => {
    issuer = await createTestIssuer({ audience: 'orders-api' });
  });
  afterAll(async () => {
    await issuer?.close();
  });

  it('runs the web runtime here', async () => {
    await expectWebRuntime(issuer);
  });

  it('publishes on no channel, whatever happens, while a subscriber listens on every one', async () => {
    const recorder = recordEvents();
    try {
      expect(channels.verify.hasSubscribers).toBe(false);
      const verifier = createVerifier({
        issuer: issuer.issuer,
        audience: 'orders-api',
        jwksUri: issuer.jwksUri,
        cache: { maxEntries: 1 },
        revocation: { isRevoked: () => Promise.reject(new Error('down')) },
        revocationFailOpen: true,
        jwks: { cooldown: 30 },
      });
      for (let i = 0; i < 3; i++) {
        const token = await issuer.sign({ sub: `user-${i}` });
        for (let again = 0; again < 3; again++) expect(await outcomeOf(verifier.verifyAccessToken(token))).toBe('accepted');
      }
      expect(await outcomeOf(verifier.verifyAccessToken(tamper(await issuer.sign())))).toBe('signature_invalid');
      expect(await outcomeOf(verifier.verifyAccessToken(await issuer.sign({}, { header: { kid: 'made-up' } })))).toBe('jwks_unavailable');
      expect(await outcomeOf(verifier.verifyAccessToken(await issuer.sign({}, { header: { kid: 'made-up' } })))).toBe('jwks_unavailable');
      expect(verifier.health().ready).toBe(true);
      expect(recorder.published).toEqual([]);
      expect(Object.keys(channels)).toEqual(Object.keys(CHANNELS));
    } finally {
      recorder.stop();
    }
  });
});
