import { tokenwarden } from '../bench/contenders.js';
import { createKeys, createTokens, serveJwks } from '../bench/fixtures.js';
const alg = (process.env.ALG ?? 'RS256') as 'RS256';
const keys = createKeys(alg);
const jwks = await serveJwks([keys]);
const c = await tokenwarden(keys, jwks.uri);
const N = 20000;
for (let set = 0; set < 4; set++) {
  const tokens = createTokens(keys, N, set * N);
  const t0 = performance.now();
  for (const t of tokens) await c.verify(t);
  console.log(alg, set, ((performance.now() - t0) * 1000 / N).toFixed(2), 'µs/call');
}
await jwks.close();
