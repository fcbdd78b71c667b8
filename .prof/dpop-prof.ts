import { createVerifier } from '../src/verifier.js';
import { createDpopKey, createTestIssuer } from '../src/testing/index.js';
const URL_CALLED = 'https://api.bench.test/orders';
const N = Number(process.env.N ?? 4000);
const issuer = await createTestIssuer({ algorithm: 'ES256', audience: 'bench-api' });
const key = await createDpopKey({ algorithm: 'ES256' });
const verifier = createVerifier({ issuer: issuer.issuer, audience: 'bench-api', jwksUri: issuer.jwksUri });
await verifier.warmUp();
const mk = async () => { const items = []; for (let i = 0; i < N; i++) { const token = await issuer.sign({ sub: `u${i}` }, { dpop: key }); items.push({ token, proof: key.proof({ method: 'GET', url: URL_CALLED, accessToken: token }) }); } return items; };
const sets = [await mk(), await mk(), await mk()];
for (const set of sets) {
  const t0 = process.hrtime.bigint();
  for (const { token, proof } of set) await verifier.verifyRequest({ method: 'GET', url: URL_CALLED, headers: { authorization: `DPoP ${token}`, dpop: proof } });
  console.log('ops/s', Math.round(N / (Number(process.hrtime.bigint() - t0) / 1e9)));
}
await issuer.close();
