// A DPoP-bound verification (access token + proof, memory replay store) against its floor: two
// bare crypto.verify calls, one per signature, for the same algorithms. Sequential, distinct
// tokens and proofs in every pass (a proof is single-use). The goal: at least 0.85x the floor.
//
//   BENCH_ONLY=dpop npm run bench      (BENCH_DPOP_ITEMS, BENCH_ROUNDS to size it)
import { createPublicKey, verify as cryptoVerify, type JsonWebKey } from 'node:crypto';
import { createVerifier } from '../src/verifier.js';
import { createDpopKey, createTestIssuer, type DpopKey } from '../src/testing/index.js';
import { interleavedPasses, median, pairedRatio, sequential } from './measure.js';

const ITEMS = Number(process.env.BENCH_DPOP_ITEMS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const URL_CALLED = 'https://api.bench.test/orders';

interface Item {
  readonly token: string;
  readonly proof: string;
}

const bareSignature = (jws: string): { data: Buffer; signature: Buffer } => {
  const dot = jws.lastIndexOf('.');
  return { data: Buffer.from(jws.slice(0, dot)), signature: Buffer.from(jws.slice(dot + 1), 'base64url') };
};

/** Runs the DPoP section and prints its table and its standing against the goal. */
export async function dpopSection(): Promise<void> {
  const issuer = await createTestIssuer({ algorithm: 'ES256', audience: 'bench-api' });
  try {
    const key: DpopKey = await createDpopKey({ algorithm: 'ES256' });
    const verifier = createVerifier({ issuer: issuer.issuer, audience: 'bench-api', jwksUri: issuer.jwksUri });
    await verifier.warmUp();
    const issuerKey = createPublicKey({ key: issuer.jwks().keys[0] as JsonWebKey, format: 'jwk' });
    const clientKey = createPublicKey({ key: key.publicJwk, format: 'jwk' });

    // Every pass gets tokens and proofs of its own: items are named by index in the pass lists.
    const items = new Map<string, Item>();
    const passes: string[][] = [];
    for (let pass = 0; pass <= ROUNDS; pass++) {
      const names: string[] = [];
      for (let i = 0; i < ITEMS; i++) {
        const token = await issuer.sign({ sub: `user-${i}` }, { dpop: key });
        const name = `${pass}.${i}`;
        items.set(name, { token, proof: key.proof({ method: 'GET', url: URL_CALLED, accessToken: token }) });
        names.push(name);
      }
      passes.push(names);
    }

    const floor = (name: string): void => {
      const { token, proof } = items.get(name) as Item;
      const t = bareSignature(token);
      const p = bareSignature(proof);
      if (!cryptoVerify('sha256', t.data, { key: issuerKey, dsaEncoding: 'ieee-p1363' }, t.signature)) throw new Error('token');
      if (!cryptoVerify('sha256', p.data, { key: clientKey, dsaEncoding: 'ieee-p1363' }, p.signature)) throw new Error('proof');
    };
    const ours = (name: string): Promise<unknown> => {
      const { token, proof } = items.get(name) as Item;
      return verifier.verifyRequest({ method: 'GET', url: URL_CALLED, headers: { authorization: `DPoP ${token}`, dpop: proof } });
    };

    const { rates, bytes } = await interleavedPasses([sequential(floor), sequential(ours)], passes);
    const [floorRates, ourRates] = rates as [number[], number[]];
    const [floorBytes, ourBytes] = (bytes as [number[], number[]]).map((perRound) => (median(perRound) / 1000).toFixed(1));
    const ratio = pairedRatio(ourRates, floorRates);
    console.log(`\nES256 — DPoP-bound, sequential, ${ITEMS} distinct tokens and proofs per pass, memory replay store`);
    console.log(`  ${'two bare crypto.verify (sync)'.padEnd(34)} ${Math.round(median(floorRates)).toString().padStart(9)} ops/s  ${floorBytes} kB/op`);
    console.log(`  ${'tokenwarden verifyRequest'.padEnd(34)} ${Math.round(median(ourRates)).toString().padStart(9)} ops/s  ${ourBytes} kB/op  ${ratio.median.toFixed(2)}× the floor`);
    console.log(`  DPoP sequential: ${ratio.median.toFixed(2)}× two bare verifies (≥ 0.85: ${ratio.median >= 0.85 ? 'met' : 'NOT MET'})`);
  } finally {
    await issuer.close();
  }
}
