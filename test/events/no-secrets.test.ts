// No payload of any channel ever carries a token, its signature or its raw header: every payload
// of a run of good and bad tokens (and every error inside one, with its stack and causes) is
// written out in full and searched for them.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNELS, createVerifier, type Verifier } from '../../src/index.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { tamper } from '../adapters/support.js';
import { leaksOf, WINDOW, writeOut } from '../helpers/leaks.js';
import { outcomeOf } from '../helpers/refusal.js';
import { recordEvents, type Recorder } from './support.js';
import { closeServers, sendJson } from '../helpers/jwks-server.js';
import { CLIENT_SECRET, activeClaims, opaqueToken, serveIntrospection, verifierFor } from '../introspection/support.js';

const AUDIENCE = 'orders-api';
let issuer: TestIssuer;
let stranger: TestIssuer;
let recorder: Recorder;

beforeAll(async () => {
  [issuer, stranger] = await Promise.all([createTestIssuer({ audience: AUDIENCE }), createTestIssuer({ audience: AUDIENCE })]);
});
afterEach(() => {
  recorder?.stop();
  vi.useRealTimers();
});
afterAll(async () => {
  await Promise.all([issuer?.close(), stranger?.close()]);
});

async function run(verifier: Verifier, token: string, tokens: string[]): Promise<void> {
  tokens.push(token);
  await outcomeOf(verifier.verifyAccessToken(token));
}

describe('what the channels publish', () => {
  it('never contains a token, a signature or a raw header, across good and bad tokens on every channel', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const now = (): number => Math.floor(Date.now() / 1000);
    const base = { issuer: issuer.issuer, audience: AUDIENCE, jwksUri: issuer.jwksUri, jwks: { maxAge: 60, cooldown: 30 } };
    const failing = { isRevoked: (claims: { sub?: string }) => (claims.sub === 'unlucky' ? Promise.reject(new Error('store down')) : false) };
    const closed = createVerifier({ ...base, cache: { maxEntries: 1 }, revocation: failing });
    const open = createVerifier({ ...base, revocation: failing, revocationFailOpen: true });
    recorder = recordEvents();
    const tokens: string[] = [];

    for (const verifier of [closed, open]) {
      for (let i = 0; i < 3; i++) {
        const good = await issuer.sign({ sub: `user-${i}`, client_id: 'app', scope: 'orders:read' });
        for (let again = 0; again < 3; again++) await run(verifier, good, tokens); // cached, then evicting
      }
      await run(verifier, tamper(await issuer.sign()), tokens);
      await run(verifier, await issuer.sign({ exp: now() - 600 }), tokens);
      await run(verifier, await issuer.sign({ aud: 'another-api' }), tokens);
      await run(verifier, await stranger.sign(), tokens);
      await run(verifier, await issuer.sign({}, { header: { kid: 'made-up-kid-0123456789' } }), tokens);
      await run(verifier, await issuer.sign({}, { header: { kid: `long-${'x'.repeat(400)}` } }), tokens);
      await run(verifier, await issuer.sign({ sub: 'unlucky', jti: 'j-1' }), tokens);
      await run(verifier, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', tokens);
      await run(verifier, 'not.a.token-at-all-but-long-enough', tokens);
    }
    // The issuer fails; the stale set keeps serving.
    issuer.override({ status: 500, body: '{"error":"down"}' });
    vi.setSystemTime(Date.now() + 120_000);
    for (const verifier of [closed, open]) {
      await run(verifier, await issuer.sign({ sub: 'after-outage' }), tokens);
      await run(verifier, await issuer.sign({}, { header: { kid: 'during-outage-kid-000' } }), tokens);
      await verifier.warmUp().catch(() => undefined);
    }
    issuer.override(undefined);

    // Opaque tokens through introspection: active (then cached), inactive, an endpoint refusing
    // our credentials, and the request budget spent. Neither the tokens nor the secret may show.
    const endpoint = await serveIntrospection();
    const opaque = opaqueToken();
    endpoint.active.set(opaque, activeClaims(endpoint.issuer));
    const introspecting = verifierFor(endpoint, { maxRequestsPerSecond: 4 });
    await run(introspecting, opaque, tokens);
    await run(introspecting, opaque, tokens);
    await run(introspecting, opaqueToken(), tokens);
    endpoint.respond = (_req, res) => sendJson(res, 401, { error: 'invalid_client' });
    for (let i = 0; i < 4; i++) await run(introspecting, opaqueToken(), tokens);
    await closeServers();

    const channels = new Set(recorder.published.map((event) => (event.context === undefined ? event.channel : CHANNELS.verify)));
    expect([...channels].sort()).toEqual(Object.values(CHANNELS).sort());
    const text = recorder.published.map((event) => writeOut(event.payload) + writeOut(event.context)).join('\n');
    expect(leaksOf(text, tokens)).toEqual([]);
    const basic = Buffer.from(`resource-server:${CLIENT_SECRET}`).toString('base64');
    expect(leaksOf(text, [CLIENT_SECRET, basic])).toEqual([]);
    expect(text).toMatch(/client credentials \(HTTP 401\)/);
    // The search finds a piece of a signature wherever it hides, so an empty answer means something.
    const hidden = tokens[0] as string;
    expect(leaksOf(writeOut({ deep: [new Error('x', { cause: { note: `…${hidden.slice(-WINDOW)}` } })] }), [hidden])).not.toEqual([]);
  });
});
