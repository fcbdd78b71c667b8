// tokenwarden:revocation:error and tokenwarden:revocation:fail-open: a checker that fails in every
// way the verifier can see, and the Redis store failing open against a real redis-server.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenError, CHANNELS, createVerifier, type RevocationChecker, type RevocationErrorEvent, type RevocationFailOpenEvent, type VerifierOptions } from '../../src/index.js';
import { createRedisRevocationStore } from '../../src/revocation/redis/index.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { refusal } from '../helpers/refusal.js';
import { recordEvents, type Recorder } from './support.js';

const AUDIENCE = 'orders-api';
let issuer: TestIssuer;
let recorder: Recorder;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: AUDIENCE });
});
afterEach(() => recorder?.stop());
afterAll(async () => {
  await issuer?.close();
});

const verifierWith = (revocation: RevocationChecker, extra: Partial<VerifierOptions> = {}) =>
  createVerifier({ issuer: issuer.issuer, audience: AUDIENCE, jwksUri: issuer.jwksUri, revocation, ...extra });
const listen = (): Recorder => (recorder = recordEvents([CHANNELS.revocationError, CHANNELS.revocationFailOpen]));
const errors = (): RevocationErrorEvent[] => recorder.of<RevocationErrorEvent>(CHANNELS.revocationError);
const failOpens = (): RevocationFailOpenEvent[] => recorder.of<RevocationFailOpenEvent>(CHANNELS.revocationFailOpen);

describe('tokenwarden:revocation:error', () => {
  it.each<[string, RevocationChecker['isRevoked'], RegExp]>([
    [
      'throws',
      () => {
        throw new Error('deny list corrupt');
      },
      /^revocation check failed$/,
    ],
    ['rejects', () => Promise.reject(new Error('store unreachable')), /^revocation check failed$/],
    ['never answers', () => new Promise<boolean>(() => undefined), /did not answer within 50 ms/],
    ['answers a non-boolean', () => 'no' as unknown as boolean, /non-boolean/],
  ])('reports a checker that %s, with failOpen: false when the token is refused', async (_name, isRevoked, message) => {
    const verifier = verifierWith({ isRevoked }, { revocationTimeout: 0.05 });
    const token = await issuer.sign();
    listen();

    await refusal(verifier.verifyAccessToken(token), 'revocation_unavailable');

    expect(errors()).toEqual([{ issuer: issuer.issuer, error: expect.any(AccessTokenError), failOpen: false }]);
    expect(errors()[0]?.error).toMatchObject({ code: 'revocation_unavailable', message: expect.stringMatching(message) });
    expect(failOpens()).toEqual([]);
  });

  it("keeps what the checker threw as the error's cause", async () => {
    const failure = new Error('connection refused');
    const verifier = verifierWith({ isRevoked: () => Promise.reject(failure) });
    listen();

    await refusal(verifier.verifyAccessToken(await issuer.sign()), 'revocation_unavailable');

    expect(errors()[0]?.error.cause).toBe(failure);
  });

  it('says nothing about a token that is revoked, or one that is not', async () => {
    const revoked = await issuer.sign({ sub: 'revoked' });
    const verifier = verifierWith({ isRevoked: (claims) => claims.sub === 'revoked' });
    listen();

    await refusal(verifier.verifyAccessToken(revoked), 'token_revoked');
    await verifier.verifyAccessToken(await issuer.sign({ sub: 'fine' }));

    expect(recorder.published).toEqual([]);
  });
});

describe("tokenwarden:revocation:fail-open (the verifier's revocationFailOpen)", () => {
  it('reports the token let through by its claims (issuer, sub, jti, clientId) with the error, after the error event', async () => {
    const verifier = verifierWith({ isRevoked: () => Promise.reject(new Error('store unreachable')) }, { revocationFailOpen: true });
    const token = await issuer.sign({ sub: 'alice', jti: 'token-1', client_id: 'mobile-app' });
    listen();

    await expect(verifier.verifyAccessToken(token)).resolves.toMatchObject({ sub: 'alice' });

    expect(recorder.published.map((event) => event.channel)).toEqual([CHANNELS.revocationError, CHANNELS.revocationFailOpen]);
    expect(errors()[0]).toMatchObject({ issuer: issuer.issuer, failOpen: true });
    expect(failOpens()).toEqual([
      { issuer: issuer.issuer, sub: 'alice', jti: 'token-1', clientId: 'mobile-app', error: errors()[0]?.error },
    ]);
  });

  it('reports a non-boolean answer it lets through, and leaves absent claims unset', async () => {
    const verifier = verifierWith({ isRevoked: () => undefined as unknown as boolean }, { revocationFailOpen: true });
    listen();

    await verifier.verifyAccessToken(await issuer.sign({ sub: undefined, jti: undefined }));

    expect(failOpens()).toEqual([
      { issuer: issuer.issuer, sub: undefined, jti: undefined, clientId: undefined, error: expect.objectContaining({ code: 'revocation_unavailable' }) },
    ]);
  });
});

describe("tokenwarden:revocation:fail-open (the Redis store's failOpen, against a real redis-server)", () => {
  let server: RedisServer;
  let client: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    client = new Redis(server.url, { retryStrategy: () => 20, maxRetriesPerRequest: null });
    client.on('error', () => undefined);
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });

  it('reports each token the store lets through while Redis cannot answer, and nothing while it can', async () => {
    const store = createRedisRevocationStore({ client, localTier: false, failOpen: true, timeout: 0.1 });
    const verifier = verifierWith(store);
    listen();
    await verifier.verifyAccessToken(await issuer.sign({ sub: 'before' }));
    expect(recorder.published).toEqual([]);

    await server.kill();
    const token = await issuer.sign({ sub: 'bob', jti: 'token-2', client_id: 'web' });
    await expect(verifier.verifyAccessToken(token)).resolves.toMatchObject({ sub: 'bob' });

    // The store answered "not revoked" itself: the verifier saw no failure.
    expect(errors()).toEqual([]);
    expect(failOpens()).toEqual([{ issuer: issuer.issuer, sub: 'bob', jti: 'token-2', clientId: 'web', error: expect.any(AccessTokenError) }]);
    expect(failOpens()[0]?.error).toMatchObject({ code: 'revocation_unavailable' });
    await store.close();
  });
});
