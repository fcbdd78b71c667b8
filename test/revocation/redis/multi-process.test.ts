// A fleet in miniature: three verifier processes (ioredis, node-redis 5, node-redis 4) share one
// Redis. A revocation made in one must be refused by all within 100 ms, on loopback.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIssuer, type TestIssuer } from '../../../src/testing/index.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import type { Reply, Request } from './fixtures/verifier-process.js';
import { uniquePrefix, type Library } from './support.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/verifier-process.ts', import.meta.url));
const AUDIENCE = 'fleet-api';
const LIBRARIES: readonly Library[] = ['ioredis', 'node-redis', 'node-redis-4'];
const BOUND_MS = 100;

type Pending = (reply: Reply) => void;
type RequestBody = Request extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

interface Instance {
  readonly child: ChildProcess;
  request<T extends Reply>(request: RequestBody): Promise<T>;
  /** The next reply to a request whose id is `id` after the first one. */
  next<T extends Reply>(id: number): Promise<T>;
  lastId(): number;
}

function startInstance(env: Record<string, string>): Promise<Instance> {
  const child = fork(FIXTURE, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, Pending[]>();
  let id = 0;
  return new Promise((resolve, reject) => {
    // Starting a process that loads tsx takes a second here and far longer on a loaded machine.
    const timer = setTimeout(() => reject(new Error('verifier process not ready within 90 s')), 90_000);
    child.once('exit', (code) => {
      reject(new Error(`verifier process exited early (${code})`));
      for (const list of waiting.values()) for (const fail of list.splice(0)) fail({ type: 'failed', message: `exited (${code})` });
    });
    child.on('message', (reply: Reply) => {
      if ('type' in reply && reply.type === 'failed') {
        clearTimeout(timer);
        const error = new Error(`verifier process failed: ${reply.message}`);
        reject(error);
        // After start-up, fail whatever waits on this process rather than hang until the timeout.
        for (const list of waiting.values()) for (const fail of list.splice(0)) fail({ type: 'failed', message: error.message });
        return;
      }
      if ('type' in reply && reply.type === 'ready') {
        clearTimeout(timer);
        const next = <T extends Reply>(replyTo: number): Promise<T> =>
          new Promise<T>((deliver) => {
            const list = waiting.get(replyTo) ?? [];
            list.push(deliver as Pending);
            waiting.set(replyTo, list);
          });
        resolve({
          child,
          next,
          lastId: () => id,
          request<T extends Reply>(request: RequestBody) {
            const current = ++id;
            child.send({ ...request, id: current });
            return next<T>(current);
          },
        });
        return;
      }
      if ('id' in reply) waiting.get(reply.id)?.shift()?.(reply);
    });
  });
}

describe('a fleet of verifier processes sharing one Redis', () => {
  let server: RedisServer;
  let issuer: TestIssuer;
  let fleet: Instance[] = [];

  beforeAll(async () => {
    [server, issuer] = await Promise.all([startRedisServer(), createTestIssuer({ audience: AUDIENCE })]);
    const env = { REDIS_URL: server.url, ISSUER: issuer.issuer, JWKS_URI: issuer.jwksUri, AUDIENCE, PREFIX: uniquePrefix() };
    fleet = await Promise.all(LIBRARIES.map((library) => startInstance({ ...env, LIBRARY: library })));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(
      fleet.map(
        (instance) =>
          new Promise<void>((resolve) => {
            if (instance.child.exitCode !== null) return resolve();
            const force = setTimeout(() => instance.child.kill('SIGKILL'), 3000);
            instance.child.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
            instance.child.send({ type: 'stop' });
          }),
      ),
    );
    await Promise.all([server?.stop(), issuer?.close()]);
  }, 20_000);

  type Refusal = Reply & { refusedAt: number | null; polls: number; last: string };

  /** Has every instance verify `token` (now held in its local tier), then poll it every millisecond. */
  async function watchAll(token: string): Promise<Promise<Refusal>[]> {
    const watches = fleet.map((instance) => {
      const watching = instance.request({ type: 'watch', token, withinMs: 3000 });
      return { watching, refused: instance.next<Refusal>(instance.lastId()) };
    });
    // Wrapped in objects: awaiting the promises themselves would wait for the refusals.
    await Promise.all(watches.map(({ watching }) => watching));
    return watches.map(({ refused }) => refused);
  }

  it('refuses a token revoked in one process, in every process, within 100 ms', async () => {
    const delays: number[] = [];
    const warmUp: number[] = [];
    // Round 0 warms the processes up (first invalidation, first lookup after it): reported, not bound.
    for (let round = 0; round <= 3; round++) {
      const token = await issuer.sign({ sub: `user-${round}` });
      const [payload] = [JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>];
      const refusals = await watchAll(token);
      const revoker = fleet[round % fleet.length] as Instance;
      const { startedAt } = await revoker.request<Reply & { startedAt: number }>({
        type: 'revoke',
        jti: payload.jti as string,
        exp: payload.exp as number,
        iss: payload.iss as string,
      });
      for (const refused of await Promise.all(refusals)) {
        expect(refused).toMatchObject({ last: 'token_revoked' });
        (round === 0 ? warmUp : delays).push((refused.refusedAt as number) - startedAt);
      }
      // Tokens not revoked still pass everywhere.
      const other = await issuer.sign({ sub: `user-${round}` });
      for (const instance of fleet) expect(await instance.request({ type: 'verify', token: other })).toMatchObject({ outcome: 'ok' });
    }
    const figures = (list: number[]) => list.map((delay) => delay.toFixed(1)).join(', ');
    console.info(`revocation propagation across processes (ms): ${figures(delays)} (warm-up round: ${figures(warmUp)})`);
    expect(Math.max(...delays)).toBeLessThan(BOUND_MS);
  }, 30_000);

  it('logs a subject out everywhere within 100 ms', async () => {
    const token = await issuer.sign({ sub: 'erin' });
    const before = Math.floor(Date.now() / 1000) + 1; // after the token's iat
    const refusals = await watchAll(token);
    const { startedAt } = await (fleet[1] as Instance).request<Reply & { startedAt: number }>({
      type: 'revokeSubject',
      sub: 'erin',
      before,
    });
    const delays = (await Promise.all(refusals)).map((refused) => (refused.refusedAt ?? Number.POSITIVE_INFINITY) - startedAt);
    console.info(`subject revocation propagation across processes (ms): ${delays.map((delay) => delay.toFixed(1)).join(', ')}`);
    expect(Math.max(...delays)).toBeLessThan(BOUND_MS);
    const fresh = await issuer.sign({ sub: 'erin', iat: before });
    for (const instance of fleet) expect(await instance.request({ type: 'verify', token: fresh })).toMatchObject({ outcome: 'ok' });
  }, 30_000);
});
