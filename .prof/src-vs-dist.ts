import { createKeys, createTokens, serveJwks, ISSUER, AUDIENCE } from '../bench/fixtures.js';
const dist = await import(new URL('../dist/node/index.js', import.meta.url).href);
const src = await import('../src/index.js');
const alg = (process.env.ALG ?? 'RS256') as 'RS256';
const keys = createKeys(alg);
const jwks = await serveJwks([keys]);
const mk = async (m: any) => { const v = m.createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.uri, algorithms: [alg] }); await v.warmUp(); return v; };
const vs = { src: await mk(src), dist: await mk(dist) };
const N = 2000; let off = 0;
const res: Record<string, number[]> = { src: [], dist: [] };
for (let r = 0; r < 9; r++) for (const name of (r % 2 ? ['src', 'dist'] : ['dist', 'src']) as ('src'|'dist')[]) {
  const tokens = createTokens(keys, N, off); off += N;
  for (const t of tokens.slice(0, 300)) await vs[name].verifyAccessToken(t);
  const t0 = performance.now(); for (const t of tokens.slice(300)) await vs[name].verifyAccessToken(t);
  res[name].push((performance.now() - t0) * 1000 / (N - 300));
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(alg, 'µs/call src', med(res.src).toFixed(2), 'dist', med(res.dist).toFixed(2));
await jwks.close();
