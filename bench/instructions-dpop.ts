// `node --import tsx bench/instructions-dpop.ts`: instructions per `verifier.verifyRequest` on a DPoP-bound
// ES256 token with its ES256 proof (memory replay store, no nonces), counted by callgrind as
// `npm run bench:instructions` counts verifyAccessToken (see bench/callgrind.ts), against its
// floor: two bare synchronous crypto.verify calls, one per signature. Every request has a
// token and a proof of its own, as in the dpop section of `npm run bench`.
//   BENCH_TOKENS   requests per set (default 500); 5 sets warm up, 2 are counted
//   BENCH_WHO      comma-separated runners to count (default bare,tokenwarden)
import { createPrivateKey, createPublicKey, verify as cryptoVerify, type JsonWebKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVerifier } from '../src/verifier.js';
import { createDpopKey } from '../src/testing/index.js';
import { countInstructions, countedStretch, hasValgrind, parentOrChild } from './callgrind.js';
import { AUDIENCE, ISSUER, createKeys, createTokens, serveJwks } from './fixtures.js';

const TOKENS = Number(process.env.BENCH_TOKENS ?? 500);
const WARM_SETS = 5;
const COUNTED_SETS = 2;
// Token lifetimes and proof ages are judged against this instant by the parent and the child.
const NOW_MS = 1_900_000_000_000;
const URL_CALLED = 'https://api.bench.test/orders';
const RUNNERS = ['bare', 'tokenwarden'] as const;
type RunnerName = (typeof RUNNERS)[number];
const WHO = (process.env.BENCH_WHO?.split(',') ?? RUNNERS) as RunnerName[];
for (const who of WHO) if (!RUNNERS.includes(who)) throw new Error(`BENCH_WHO: unknown runner ${who}`);

interface Request {
  readonly token: string;
  readonly proof: string;
}

interface Fixture {
  readonly privateJwk: object;
  readonly clientJwk: JsonWebKey;
  readonly sets: readonly (readonly Request[])[];
}

const bareParts = (jws: string): { data: Buffer; signature: Buffer } => {
  const dot = jws.lastIndexOf('.');
  return { data: Buffer.from(jws.slice(0, dot)), signature: Buffer.from(jws.slice(dot + 1), 'base64url') };
};

async function child(): Promise<void> {
  Date.now = () => NOW_MS;
  const fixture = JSON.parse(readFileSync(process.env.INSTRUCTIONS_FIXTURE as string, 'utf8')) as Fixture;
  const keys = createKeys('ES256', createPrivateKey({ key: fixture.privateJwk as never, format: 'jwk' }));
  const jwks = await serveJwks([keys]);
  try {
    let one: (request: Request) => unknown;
    if (process.env.INSTRUCTIONS_WHO === 'bare') {
      const issuerKey = { key: keys.publicKey, dsaEncoding: 'ieee-p1363' as const };
      const clientKey = { key: createPublicKey({ key: fixture.clientJwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' as const };
      one = ({ token, proof }) => {
        const t = bareParts(token);
        const p = bareParts(proof);
        if (!cryptoVerify('sha256', t.data, issuerKey, t.signature)) throw new Error('token');
        if (!cryptoVerify('sha256', p.data, clientKey, p.signature)) throw new Error('proof');
      };
    } else {
      const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.uri, jwks: { timeout: 60 }, algorithms: ['ES256'] });
      await verifier.warmUp();
      one = ({ token, proof }) => verifier.verifyRequest({ method: 'GET', url: URL_CALLED, headers: { authorization: `DPoP ${token}`, dpop: proof } });
    }
    await countedStretch(fixture.sets, WARM_SETS, async (requests) => {
      for (const request of requests) await one(request);
    });
  } finally {
    await jwks.close();
  }
}

async function main(): Promise<void> {
  if (!hasValgrind('bench/instructions-dpop.ts')) return;
  Date.now = () => NOW_MS;
  const keys = createKeys('ES256');
  const client = await createDpopKey({ algorithm: 'ES256' });
  const sets = Array.from({ length: WARM_SETS + COUNTED_SETS }, (_, set) =>
    createTokens(keys, TOKENS, set * TOKENS, ISSUER, { cnf: { jkt: client.jkt } }).map((token) => ({
      token,
      proof: client.proof({ method: 'GET', url: URL_CALLED, accessToken: token }),
    })),
  );
  const fixture: Fixture = { privateJwk: keys.privateKey.export({ format: 'jwk' }), clientJwk: client.publicJwk, sets };
  const dir = mkdtempSync(join(tmpdir(), 'tokenwarden-instructions-dpop-'));
  try {
    const fixtureFile = join(dir, 'dpop.json');
    writeFileSync(fixtureFile, JSON.stringify(fixture));
    const counted = TOKENS * COUNTED_SETS;
    console.log(`tokenwarden DPoP instruction counts — Node ${process.version}, ${counted} distinct requests counted per runner`);
    for (const who of WHO) {
      const { total, compiler } = countInstructions(new URL(import.meta.url).pathname, { INSTRUCTIONS_WHO: who, INSTRUCTIONS_FIXTURE: fixtureFile }, `dpop-${who}`, dir);
      console.log(
        `  ${(who === 'bare' ? 'two bare crypto.verify' : 'tokenwarden verifyRequest').padEnd(28)} ${Math.round((total - compiler) / counted).toString().padStart(12)}` +
          `  (compiling: ${Math.round(compiler / counted)} more)`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await parentOrChild(main, child);
