// One verifier, a million distinct tokens: heap growth must stay bounded by the verified-token
// cache's size, whatever the number of tokens. Each token is presented twice, so that every one
// is admitted to the cache (the worst case); a shorter run presents tokens once, which leaves
// only fingerprints. Run with --expose-gc (npm run bench does).
import { createVerifier } from '../src/index.js';
import { AUDIENCE, ISSUER, createKeys, createTokens, serveJwks } from './fixtures.js';
import { concurrent, exposedGc } from './measure.js';

const TOTAL = Number(process.env.BENCH_MEMORY ?? 1_000_000);
const BATCH = 10_000;
const CACHE_ENTRIES = 10_000;

function heapAfterGc(): number {
  // Twice: one collection may leave what a finalizer or weak reference released for the next.
  exposedGc?.();
  exposedGc?.();
  return process.memoryUsage().heapUsed;
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export async function memorySection(): Promise<void> {
  if (TOTAL <= 0) return;
  if (exposedGc === undefined) {
    console.log('\nmemory: skipped (run node with --expose-gc, as `npm run bench` does)');
    return;
  }
  const keys = createKeys('EdDSA');
  const jwks = await serveJwks([keys]);
  try {
    // A throwaway run first, so that compiled code and engine caches are not counted as growth.
    await heapGrowth(keys, jwks.uri, BATCH, 2);
    const once = await heapGrowth(keys, jwks.uri, TOTAL / 4, 1);
    const twice = await heapGrowth(keys, jwks.uri, TOTAL, 2);
    console.log(`\nMemory — ${TOTAL.toLocaleString('en')} distinct EdDSA tokens through one verifier, each presented twice (cache maxEntries ${CACHE_ENTRIES.toLocaleString('en')})`);
    console.log(`  heap growth after GC: ${twice.samples.join(', ')}`);
    console.log(`  final growth ${mib(twice.growth)} ≈ ${Math.round(twice.growth / CACHE_ENTRIES)} bytes per cache entry; ${twice.seconds} s`);
    console.log(`  ${(TOTAL / 4).toLocaleString('en')} distinct tokens presented once (never admitted): final growth ${mib(once.growth)}; ${once.seconds} s`);
  } finally {
    await jwks.close();
  }
}

async function heapGrowth(
  keys: ReturnType<typeof createKeys>,
  jwksUri: string,
  total: number,
  presentations: number,
): Promise<{ growth: number; samples: string[]; seconds: string }> {
  const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri, cache: { maxEntries: CACHE_ENTRIES } });
  await verifier.warmUp();
  const verify = concurrent((token) => verifier.verifyAccessToken(token), 64);
  const before = heapAfterGc();
  const samples: string[] = [];
  const started = Date.now();
  for (let done = 0; done < total; done += BATCH) {
    await presentBatch(verify, createTokens(keys, Math.min(BATCH, total - done), done), presentations);
    if ((done + BATCH) % (total / 4) === 0 || done + BATCH >= total) samples.push(`${(done + BATCH).toLocaleString('en')}: +${mib(heapAfterGc() - before)}`);
  }
  return { growth: heapAfterGc() - before, samples, seconds: ((Date.now() - started) / 1000).toFixed(0) };
}

// In a function of its own, so that no stack slot of the caller keeps the last batch alive when
// the heap is measured.
async function presentBatch(verify: (tokens: readonly string[]) => Promise<void>, tokens: readonly string[], times: number): Promise<void> {
  for (let i = 0; i < times; i++) await verify(tokens);
}
