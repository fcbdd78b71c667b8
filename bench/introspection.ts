// Cached introspection against the round trip it saves: an opaque token verified from the
// answer cache, and the same verification with the cache off (one request to a loopback
// introspection endpoint each time), sequentially, passes taken in turns. Then a mixed workload
// (each token presented several times, in shuffled order, cold cache) for the hit rate the
// issuer sees. The goal: a cached hit at least 100x the round trip.
//
//   BENCH_ONLY=introspection npm run bench      (BENCH_INTROSPECTION_ITEMS, BENCH_ROUNDS to size it)
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifier } from '../src/verifier.js';
import { interleavedPasses, median, pairedRatio, sequential } from './measure.js';

const ITEMS = Number(process.env.BENCH_INTROSPECTION_ITEMS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const AUDIENCE = 'bench-api';
// Presentations of each token in the mixed workload.
const REPEATS = 10;

/** A loopback endpoint that knows every token as active, and counts its requests. */
async function startEndpoint(): Promise<{ server: Server; issuer: string; endpoint: string; requests: () => number }> {
  let requests = 0;
  let issuer = '';
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      const now = Math.floor(Date.now() / 1000);
      const body = JSON.stringify({ active: true, iss: issuer, aud: AUDIENCE, sub: 'user-1', client_id: 'app', scope: 'orders:read', iat: now, exp: now + 3600 });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, issuer, endpoint: `${issuer}/introspect`, requests: () => requests };
}

const tokens = (count: number): string[] => Array.from({ length: count }, () => randomBytes(32).toString('base64url'));

/** Runs the introspection section and prints its table, the hit rate and the goal. */
export async function introspectionSection(): Promise<void> {
  const target = await startEndpoint();
  try {
    const base = { issuer: target.issuer, audience: AUDIENCE, jwksUri: `${target.issuer}/jwks.json` };
    const credentials = { endpoint: target.endpoint, clientId: 'bench', clientSecret: 'bench-secret', maxRequestsPerSecond: 100_000 };
    const cached = createVerifier({ ...base, introspection: { ...credentials, cache: { maxEntries: ITEMS * 2 } } });
    const uncached = createVerifier({ ...base, introspection: { ...credentials, cache: false } });
    const known = tokens(ITEMS);
    // Warm: every token's answer in the cache, and the connection pool open for both.
    for (const token of known) await cached.verifyAccessToken(token);
    await uncached.verifyAccessToken(known[0] as string);
    const passes = Array.from({ length: ROUNDS + 1 }, () => known);

    const { rates } = await interleavedPasses(
      [sequential((token) => uncached.verifyAccessToken(token)), sequential((token) => cached.verifyAccessToken(token))],
      passes,
    );
    const [roundTrip, hit] = rates as [number[], number[]];
    const ratio = pairedRatio(hit, roundTrip);

    // The mixed workload: a fresh verifier, each token presented REPEATS times in shuffled order.
    const mixed = createVerifier({ ...base, introspection: credentials });
    const workload = tokens(ITEMS).flatMap((token) => Array<string>(REPEATS).fill(token));
    for (let i = workload.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [workload[i], workload[j]] = [workload[j] as string, workload[i] as string];
    }
    const before = target.requests();
    const started = performance.now();
    for (const token of workload) await mixed.verifyAccessToken(token);
    const seconds = (performance.now() - started) / 1000;
    const asked = target.requests() - before;

    console.log(`\nIntrospection — opaque tokens, sequential, ${ITEMS} distinct tokens per pass, loopback endpoint`);
    console.log(`  ${'uncached (one round trip each)'.padEnd(34)} ${Math.round(median(roundTrip)).toString().padStart(9)} ops/s`);
    console.log(`  ${'cached hit'.padEnd(34)} ${Math.round(median(hit)).toString().padStart(9)} ops/s  ${ratio.median.toFixed(0)}× the round trip`);
    console.log(
      `  mixed: ${workload.length} verifications of ${ITEMS} tokens (${REPEATS} each, shuffled, cold cache): ${asked} requests to the issuer, hit rate ${((1 - asked / workload.length) * 100).toFixed(1)}%, ${Math.round(workload.length / seconds)} ops/s`,
    );
    console.log(`  cached hit: ${ratio.median.toFixed(0)}× the round trip (≥ 100: ${ratio.median >= 100 ? 'met' : 'NOT MET'})`);
  } finally {
    target.server.closeAllConnections();
    await new Promise((resolve) => target.server.close(resolve));
  }
}
