// Verification throughput with each revocation store, and how fast a revocation reaches another
// instance. Starts its own redis-server on loopback; runs in about 20 s.
//
//   npx tsx bench/redis-revocation.ts      (or the `redis` section of `npm run bench`)
//
// The target: the Redis store with its local tier reaches at least 0.9x the throughput of
// the in-process memory store. Without the local tier, each verification pays one round trip.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { createVerifier, type Verifier } from '../src/verifier.js';
import { createMemoryRevocationStore } from '../src/revocation/memory.js';
import { createRedisRevocationStore, type RedisRevocationStore } from '../src/revocation/redis/index.js';
import type { RevocationChecker } from '../src/revocation/checker.js';
import { createTestIssuer } from '../src/testing/index.js';
import { startRedisServer } from '../test/helpers/redis-server.js';

const TOKENS = 200;
const CONCURRENCY = 32;
const ROUNDS = 3;
const THROUGHPUT_MS = 800;
const SEQUENTIAL_MS = 500;
const PROPAGATION_SAMPLES = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function throughput(verifier: Verifier, tokens: readonly string[], ms: number): Promise<number> {
  let done = 0;
  let next = 0;
  const until = performance.now() + ms;
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      await verifier.verifyAccessToken(tokens[next++ % tokens.length] as string);
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return done / ((performance.now() - started) / 1000);
}

async function sequentialMicros(verifier: Verifier, tokens: readonly string[], ms: number): Promise<number> {
  let done = 0;
  const started = performance.now();
  const until = started + ms;
  while (performance.now() < until) {
    await verifier.verifyAccessToken(tokens[done % tokens.length] as string);
    done++;
  }
  return ((performance.now() - started) * 1000) / done;
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;

/** Runs the Redis revocation benchmark and prints its tables. */
export async function redisSection(): Promise<void> {
  const benchStarted = performance.now();
  const server = await startRedisServer();
  const issuer = await createTestIssuer({ audience: 'bench-api' });
  const clients: Redis[] = [];
  const client = (): Redis => {
    const created = new Redis(server.url, { enableOfflineQueue: true });
    clients.push(created);
    return created;
  };
  const stores: RedisRevocationStore[] = [];
  const redisStore = (localTier: boolean): RedisRevocationStore => {
    const store = createRedisRevocationStore({ client: client(), prefix: 'bench:', localTier });
    stores.push(store);
    return store;
  };

  try {
    const tokens = await Promise.all(
      Array.from({ length: TOKENS }, (_, i) => issuer.sign({ sub: `user-${i % 50}`, jti: randomUUID() })),
    );
    const local = redisStore(true);
    const scenarios: [string, RevocationChecker][] = [
      ['memory store', createMemoryRevocationStore()],
      ['redis store, local tier on', local],
      ['redis store, local tier off', redisStore(false)],
    ];
    // Some revocations, so that lookups are not answered by an empty list.
    await stores[0]?.revoke(randomUUID(), Math.floor(Date.now() / 1000) + 300);
    await stores[0]?.revokeSubject('someone-else');
    const deadline = Date.now() + 5000;
    while (local.localTierState !== 'live' && Date.now() < deadline) await sleep(5);

    // Two workloads: clients presenting their token again (the verifier's own cache skips the
    // signature, so the revocation check is most of the cost), and a signature every time.
    const workloads = [
      { name: 'same tokens again (verifier cache on, the default)', cache: undefined },
      { name: 'signature checked every time (verifier cache off)', cache: false as const },
    ];
    const results: { workload: string; store: string; opsPerSecond: number; micros: number }[] = [];
    for (const workload of workloads) {
      const verifiers = scenarios.map(([, revocation]) =>
        createVerifier({
          issuer: issuer.issuer,
          audience: 'bench-api',
          jwksUri: issuer.jwksUri,
          revocation,
          ...(workload.cache === false ? { cache: false } : {}),
        }),
      );
      for (const verifier of verifiers) await throughput(verifier, tokens, 200); // warm-up: keys, JIT, caches
      // Best of several rounds, each in a different order: the machine may be shared.
      const best = scenarios.map(() => 0);
      for (let round = 0; round < ROUNDS; round++) {
        for (let step = 0; step < verifiers.length; step++) {
          const i = (round + step) % verifiers.length;
          best[i] = Math.max(best[i] as number, await throughput(verifiers[i] as Verifier, tokens, THROUGHPUT_MS));
        }
      }
      for (const [i, verifier] of verifiers.entries()) {
        results.push({
          workload: workload.name,
          store: scenarios[i]?.[0] as string,
          opsPerSecond: best[i] as number,
          micros: await sequentialMicros(verifier, tokens, SEQUENTIAL_MS),
        });
      }
    }

    // Propagation: a revocation through one instance, refused by another instance's local tier.
    const writer = redisStore(false);
    const reader = redisStore(true);
    while (reader.localTierState !== 'live' && Date.now() < deadline + 5000) await sleep(5);
    const delays: number[] = [];
    for (let i = 0; i < PROPAGATION_SAMPLES; i++) {
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: issuer.issuer, aud: 'bench-api', exp: now + 300, iat: now, sub: 'p', jti: randomUUID() };
      await reader.isRevoked(claims); // cached "not revoked"
      const started = performance.now();
      await writer.revoke(claims.jti, claims.exp, claims.iss);
      while (performance.now() - started < 1000 && (await reader.isRevoked(claims)) !== true) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      delays.push(performance.now() - started);
    }
    delays.sort((a, b) => a - b);

    console.log(`\nRevocation stores — RS256, ${TOKENS} tokens, ${CONCURRENCY} in flight, best of ${ROUNDS} x ${THROUGHPUT_MS} ms`);
    const ratios: number[] = [];
    for (const workload of workloads) {
      const rows = results.filter((row) => row.workload === workload.name);
      const memory = rows[0]?.opsPerSecond ?? Number.NaN;
      ratios.push((rows[1]?.opsPerSecond ?? 0) / memory);
      console.log(`\n${workload.name}`);
      console.table(
        rows.map((row) => ({
          store: row.store,
          'verifications/s': Math.round(row.opsPerSecond),
          'x memory': Number((row.opsPerSecond / memory).toFixed(2)),
          'µs/verification (sequential)': Number(row.micros.toFixed(1)),
        })),
      );
      const roundTrip = (rows[2]?.micros ?? Number.NaN) - (rows[0]?.micros ?? Number.NaN);
      console.log(`one Redis round trip per verification (local tier off): about ${roundTrip.toFixed(0)} µs more, sequentially`);
    }
    console.log(`\nPropagation of a revocation to another instance's local tier (${PROPAGATION_SAMPLES} samples, in process, loopback)`);
    console.table([
      {
        'p50 ms': Number(percentile(delays, 50).toFixed(2)),
        'p95 ms': Number(percentile(delays, 95).toFixed(2)),
        'max ms': Number((delays[delays.length - 1] as number).toFixed(2)),
      },
    ]);
    const ratio = Math.min(...ratios);
    console.log(`local tier on vs memory, worst workload: ${ratio.toFixed(2)}x (target >= 0.90) ${ratio >= 0.9 ? 'PASS' : 'BELOW TARGET'}`);
    console.log(`total run time ${((performance.now() - benchStarted) / 1000).toFixed(1)} s`);
  } finally {
    await Promise.all(stores.map((store) => store.close()));
    for (const created of clients) created.disconnect();
    await issuer.close();
    await server.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  redisSection().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
