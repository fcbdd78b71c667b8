// How many tokens presented again the verified-token cache actually serves: for rotations of
// 1 000, 10 000 and 100 000 distinct tokens through one verifier at the default cache size,
// each token presented three times. The third presentation is counted as served from the cache
// when the `tokenwarden:verify` trace says so (the public event, not the cache's internals).
import { tracingChannel } from 'node:diagnostics_channel';
import { CHANNELS, createVerifier, type VerifyContext } from '../src/index.js';
import { AUDIENCE, ISSUER, createKeys, createTokens, serveJwks } from './fixtures.js';
import { concurrent } from './measure.js';

const ROTATIONS = [1_000, 10_000, 100_000] as const;
const CACHE_ENTRIES = 10_000;

export async function cacheAdmissionSection(): Promise<void> {
  const keys = createKeys('EdDSA');
  const jwks = await serveJwks([keys]);
  let cachedHits = 0;
  const trace = tracingChannel<unknown, VerifyContext>(CHANNELS.verify);
  const subscriber = {
    start() {},
    end() {},
    asyncStart() {},
    error() {},
    asyncEnd(context: VerifyContext) {
      if (context.cached === true) cachedHits++;
    },
  };
  console.log(`\nCache admission — distinct EdDSA tokens in rotation, each presented three times (cache maxEntries ${CACHE_ENTRIES.toLocaleString('en')})`);
  console.log(`  ${'tokens'.padStart(8)}  ${'served from cache on 3rd'.padStart(25)}  ${'of those it can hold'.padStart(21)}`);
  try {
    for (const count of ROTATIONS) {
      const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.uri, cache: { maxEntries: CACHE_ENTRIES } });
      await verifier.warmUp();
      const verify = concurrent((token) => verifier.verifyAccessToken(token), 64);
      const tokens = createTokens(keys, count);
      await verify(tokens);
      await verify(tokens);
      cachedHits = 0;
      trace.subscribe(subscriber);
      try {
        await verify(tokens);
      } finally {
        trace.unsubscribe(subscriber);
      }
      const holdable = Math.min(count, CACHE_ENTRIES);
      const share = (value: number, of: number): string => `${((100 * value) / of).toFixed(2)}%`;
      console.log(`  ${count.toLocaleString('en').padStart(8)}  ${share(cachedHits, count).padStart(25)}  ${share(cachedHits, holdable).padStart(21)}`);
    }
  } finally {
    await jwks.close();
  }
}
