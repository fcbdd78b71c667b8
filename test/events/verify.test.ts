// The tokenwarden:verify TracingChannel around every verifyAccessToken: its five events, what its
// context learns on the way, and that it says nothing when nobody listens.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenError, CHANNELS, createVerifier, type Verifier } from '../../src/index.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { tamper } from '../adapters/support.js';
import { refusal } from '../helpers/refusal.js';
import { recordEvents, type Recorder } from './support.js';

const AUDIENCE = 'orders-api';
let issuer: TestIssuer;
let other: TestIssuer;
let verifier: Verifier;
let recorder: Recorder | undefined;

beforeAll(async () => {
  [issuer, other] = await Promise.all([createTestIssuer({ audience: AUDIENCE }), createTestIssuer({ audience: AUDIENCE })]);
  verifier = createVerifier({ issuer: issuer.issuer, audience: AUDIENCE, jwksUri: issuer.jwksUri });
  await verifier.warmUp();
});
afterEach(() => recorder?.stop());
afterAll(async () => {
  await Promise.all([issuer?.close(), other?.close()]);
});

const listen = (): Recorder => (recorder = recordEvents([CHANNELS.verify]));
const kidOf = (): string => issuer.jwks().keys[0]?.kid as string;

describe('tokenwarden:verify', () => {
  it('traces a success: start, end, asyncStart, asyncEnd, one context with issuer, kid, alg, cached, sub, clientId and scope', async () => {
    const token = await issuer.sign({ sub: 'alice', client_id: 'mobile-app', scope: 'orders:read profile' });
    const events = listen();

    const claims = await verifier.verifyAccessToken(token);

    expect(claims.sub).toBe('alice');
    expect(events.traces().map(([phase]) => phase)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    // The start event comes before verification has learnt anything.
    expect(events.traces()[0]?.[1]).toEqual({});
    const contexts = new Set(events.published.map((event) => event.context));
    expect(contexts.size).toBe(1);
    const [context] = contexts;
    expect(context).toMatchObject({
      issuer: issuer.issuer,
      kid: kidOf(),
      alg: 'RS256',
      cached: false,
      sub: 'alice',
      clientId: 'mobile-app',
      scope: 'orders:read profile',
    });
    // The claims stay out of the trace: the channel's `result` is left empty.
    expect(context?.['result' as keyof typeof context]).toBeUndefined();
  });

  it('says cached: true for a token answered from the verified-token cache', async () => {
    const token = await issuer.sign({ sub: 'bob' });
    // Remembered from its second verification on; the third is a cache hit.
    await verifier.verifyAccessToken(token);
    await verifier.verifyAccessToken(token);
    const events = listen();

    await verifier.verifyAccessToken(token);

    expect(events.traces().at(-1)?.[1]).toMatchObject({ issuer: issuer.issuer, kid: kidOf(), alg: 'RS256', cached: true, sub: 'bob' });
  });

  it('traces a refusal: the error event carries the AccessTokenError, and the context has no claims', async () => {
    const token = tamper(await issuer.sign({ sub: 'mallory', client_id: 'c', scope: 's' }));
    const events = listen();

    await refusal(verifier.verifyAccessToken(token), 'signature_invalid');

    expect(events.traces().map(([phase]) => phase)).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
    const [, context] = events.traces().find(([phase]) => phase === 'error') ?? [];
    expect(context?.error).toBeInstanceOf(AccessTokenError);
    expect(context?.error).toMatchObject({ code: 'signature_invalid', status: 401 });
    expect(context).toMatchObject({ issuer: issuer.issuer, kid: kidOf(), alg: 'RS256', cached: false });
    expect(context).not.toHaveProperty('sub');
    expect(context).not.toHaveProperty('clientId');
    expect(context).not.toHaveProperty('scope');
  });

  it('never names an issuer that is not configured: a token from another issuer leaves issuer unset', async () => {
    const token = await other.sign();
    const events = listen();

    await refusal(verifier.verifyAccessToken(token), 'issuer_invalid');

    const [, context] = events.traces().find(([phase]) => phase === 'error') ?? [];
    expect(context).toMatchObject({ cached: false, alg: 'RS256' });
    expect(context).not.toHaveProperty('issuer');
    expect(JSON.stringify(events.traces())).not.toContain(other.issuer);
  });

  it('knows nothing of a token that does not parse, beyond cached: false', async () => {
    const events = listen();

    await refusal(verifier.verifyAccessToken('not-a-jwt'), 'token_malformed');

    const [, context] = events.traces().find(([phase]) => phase === 'error') ?? [];
    expect(context).toEqual({ cached: false, error: expect.objectContaining({ code: 'token_malformed' }) });
  });

  it('cuts a long kid (untrusted header input) to 128 characters', async () => {
    const kid = `k${'x'.repeat(299)}`;
    const token = await issuer.sign({}, { header: { kid } });
    const events = listen();

    await verifier.verifyAccessToken(token).catch(() => undefined);

    const [, context] = events.traces().at(-1) ?? [];
    expect(context?.kid).toBe(kid.slice(0, 128));
  });

  it('leaves sub, clientId and scope out of the context of a token without them', async () => {
    const token = await issuer.sign({ sub: undefined, client_id: undefined, scope: undefined });
    const events = listen();

    await verifier.verifyAccessToken(token);

    const [, context] = events.traces().at(-1) ?? [];
    expect(context).toMatchObject({ issuer: issuer.issuer, cached: false });
    expect(context).not.toHaveProperty('sub');
    expect(context).not.toHaveProperty('clientId');
    expect(context).not.toHaveProperty('scope');
  });

  it('takes nothing passed after the token for a trace: verifyAccessToken works unbound, as a map callback', async () => {
    const tokens = await Promise.all(['erin', 'frank'].map((sub) => issuer.sign({ sub })));
    const { verifyAccessToken } = verifier;
    const untraced = await Promise.all(tokens.map(verifyAccessToken));
    const events = listen();

    const traced = await Promise.all(tokens.map(verifyAccessToken));

    expect([...untraced, ...traced].map((claims) => claims.sub)).toEqual(['erin', 'frank', 'erin', 'frank']);
    expect(events.traces().filter(([phase]) => phase === 'asyncEnd').map(([, context]) => context.sub).sort()).toEqual(['erin', 'frank']);
  });

  it('publishes nothing once unsubscribed, and verifies all the same', async () => {
    const events = listen();
    events.stop();

    await expect(verifier.verifyAccessToken(await issuer.sign({ sub: 'dave' }))).resolves.toMatchObject({ sub: 'dave' });
    await refusal(verifier.verifyAccessToken('not-a-jwt'), 'token_malformed');

    expect(events.published).toEqual([]);
  });
});
