// One verifier, a million distinct tokens: heap growth must stay bounded by the verified-token
// cache's size, whatever the number of tokens. Run with --expose-gc (npm run bench does).
import { createVerifier } from '../src/index.js';
import { AUDIENCE, ISSUER, createKeys, createTokens, serveJwks } from './fixtures.js';
import { concurrent } from './measure.js';

const TOTAL = Number(process.env.BENCH_MEMORY ?? 1_000_000);
const BATCH = 10_000;
const CACHE_ENTRIES = 10_000;

function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export async function memorySection(): Promise<void> {
  if (TOTAL <= 0) return;
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
    console.log('\nmemory: skipped (run node with --expose-gc, as `npm run bench` does)');
    return;
  }
  const keys = createKeys('EdDSA');
  const jwks = await serveJwks([keys]);
  try {
    const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.uri, cache: { maxEntries: CACHE_ENTRIES } });
    await verifier.warmUp();
    const verify = concurrent((token) => verifier.verifyAccessToken(token), 64);
    const before = heapAfterGc();
    const samples: string[] = [];
    const started = Date.now();
    for (let done = 0; done < TOTAL; done += BATCH) {
      await verify(createTokens(keys, Math.min(BATCH, TOTAL - done), done));
      if ((done + BATCH) % (TOTAL / 4) === 0 || done + BATCH >= TOTAL) samples.push(`${(done + BATCH).toLocaleString('en')}: +${mib(heapAfterGc() - before)}`);
    }
    const growth = heapAfterGc() - before;
    console.log(`\nMemory — ${TOTAL.toLocaleString('en')} distinct EdDSA tokens through one verifier (cache maxEntries ${CACHE_ENTRIES.toLocaleString('en')})`);
    console.log(`  heap growth after GC: ${samples.join(', ')}`);
    console.log(`  final growth ${mib(growth)} ≈ ${Math.round(growth / CACHE_ENTRIES)} bytes per cache entry; ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await jwks.close();
  }
}
