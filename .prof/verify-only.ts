import { tokenwarden } from '../bench/contenders.js';
import { createKeys, createTokens, serveJwks } from '../bench/fixtures.js';
const alg = (process.env.ALG ?? 'RS256') as 'RS256';
const keys = createKeys(alg);
const jwks = await serveJwks([keys]);
const c = await tokenwarden(keys, jwks.uri);
const N = 5000;
const sets = [0, 1, 2, 3, 4, 5].map((s) => createTokens(keys, N, s * N));
console.error('--- signed');
for (const tokens of sets) {
  const t0 = performance.now();
  for (const t of tokens) await c.verify(t);
  console.error(alg, ((performance.now() - t0) * 1000 / N).toFixed(2), 'µs/call');
}
await jwks.close();
