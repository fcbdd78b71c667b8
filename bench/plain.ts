// The plain method (section `plain`): a second, deliberately simple way of measuring the verify
// section's sequential and 64-in-flight comparisons, as an outside reviewer measured them (issue
// #22), so that a result which holds only under one method shows up as a difference between the
// two. What it does differently from the verify section, on purpose:
//   - no forced collections: a pass pays for every scavenge its allocations cause, wherever
//     it falls (the verify section starts each pass on an empty young generation);
//   - 7 rounds, a fresh set of distinct tokens per pass, a 300-call warm-up on the pass's own
//     tokens right before it is timed;
//   - every call is `await fn(token)`, the synchronous bare call too; 64 in flight is batches
//     of 64 under Promise.all, not 64 lanes.
// The sequential table also times "the least a verifier does" (./contenders.ts), a reference
// for how much of the gap to bare any verifier that reads the claims must leave.
// Beside each rate it reports the share of the pass spent in garbage collection (node's
// GCProfiler: the pauses' total over the pass's time) and the heap allocated per call, which is
// what tells the two methods' results apart.
//
//   BENCH_ONLY=plain npm run bench       (BENCH_PLAIN_TOKENS, BENCH_PLAIN_ROUNDS to size it)
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { bareAsync, bareSync, fastJwt, leastVerifier, tokenwarden, type Contender } from './contenders.js';
import { createKeys, createTokens, serveJwks, type BenchAlgorithm } from './fixtures.js';
import { median, signTest } from './measure.js';

const TOKENS = Number(process.env.BENCH_PLAIN_TOKENS ?? 2000);
const ROUNDS = Number(process.env.BENCH_PLAIN_ROUNDS ?? 7);
const WARM_UP = 300;
const BATCH = 64;

type Call = (token: string) => unknown;
type Pass = (call: Call, tokens: readonly string[]) => Promise<void>;

const oneAtATime: Pass = async (call, tokens) => {
  for (const token of tokens) await call(token);
};
const inBatches: Pass = async (call, tokens) => {
  for (let start = 0; start < tokens.length; start += BATCH) {
    await Promise.all(tokens.slice(start, start + BATCH).map(async (token) => call(token)));
  }
};

/** One contender's timed passes: calls per second, GC share of the pass, heap bytes per call. */
interface Measured {
  readonly name: string;
  readonly rates: number[];
  readonly gcShares: number[];
  readonly bytes: number[];
}

async function timedPass(call: Call, pass: Pass, tokens: readonly string[]): Promise<{ rate: number; gcShare: number; bytes: number }> {
  await pass(call, tokens.slice(0, WARM_UP));
  const profiler = new GCProfiler();
  profiler.start();
  const heapBefore = getHeapStatistics().used_heap_size;
  const started = process.hrtime.bigint();
  await pass(call, tokens);
  const nanoseconds = Number(process.hrtime.bigint() - started);
  const heapAfter = getHeapStatistics().used_heap_size;
  const { statistics } = profiler.stop();
  // GCProfiler reports each pause's cost in microseconds.
  const paused = statistics.reduce((sum, gc) => sum + gc.cost, 0) * 1000;
  const freed = statistics.reduce((sum, gc) => sum + gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize, 0);
  return { rate: tokens.length / (nanoseconds / 1e9), gcShare: paused / nanoseconds, bytes: (heapAfter - heapBefore + freed) / tokens.length };
}

async function measure(contenders: readonly Contender[], pass: Pass, fresh: () => string[]): Promise<Measured[]> {
  const results: Measured[] = contenders.map(({ name }) => ({ name, rates: [], gcShares: [], bytes: [] }));
  for (let round = 0; round < ROUNDS; round++) {
    // Signing a pass's tokens allocates far more than verifying them: done for the whole round
    // before any pass is timed, so that the collector's work on it does not land in one pass.
    const sets = contenders.map(() => fresh());
    for (let turn = 0; turn < contenders.length; turn++) {
      const index = (turn + round) % contenders.length;
      const { rate, gcShare, bytes } = await timedPass((contenders[index] as Contender).verify, pass, sets[index] as string[]);
      const result = results[index] as Measured;
      result.rates.push(rate);
      result.gcShares.push(gcShare);
      result.bytes.push(bytes);
    }
  }
  return results;
}

const perRound = (a: Measured, b: Measured): number[] => a.rates.map((rate, round) => rate / (b.rates[round] as number));

function print(title: string, rows: readonly Measured[], baseline: string): void {
  const base = rows.find((row) => row.name === baseline) as Measured;
  console.log(`\n${title}`);
  console.log(`  ${'verifier'.padEnd(30)} ${'ops/s'.padStart(9)} ${'GC %'.padStart(6)} ${'kB/op'.padStart(6)}  × ${baseline}`);
  for (const row of rows) {
    const gc = (median(row.gcShares) * 100).toFixed(1);
    const kb = (median(row.bytes) / 1000).toFixed(1);
    console.log(`  ${row.name.padEnd(30)} ${Math.round(median(row.rates)).toString().padStart(9)} ${gc.padStart(6)} ${kb.padStart(6)}  ${median(perRound(row, base)).toFixed(2)}`);
  }
}

async function plainAlgorithm(alg: BenchAlgorithm): Promise<string[]> {
  const keys = createKeys(alg);
  const fresh = (): string[] => createTokens(keys, TOKENS, Math.floor(Math.random() * 1e9));
  const jwks = await serveJwks([keys]);
  try {
    const ours = await tokenwarden(keys, jwks.uri);
    const peer = fastJwt(keys);
    const floor = bareSync(keys);
    const floorAsync = bareAsync(keys);
    const least = leastVerifier(keys);
    const seq = await measure([floor, ours, peer, least], oneAtATime, fresh);
    print(`${alg} — plain method, sequential, ${TOKENS} fresh tokens per pass, ${ROUNDS} rounds, no forced collections`, seq, floor.name);
    const batched = await measure([floorAsync, ours], inBatches, fresh);
    print(`${alg} — plain method, batches of ${BATCH} under Promise.all`, batched, floorAsync.name);

    const [floorRow, ourRow, peerRow, leastRow] = seq as [Measured, Measured, Measured, Measured];
    const vsPeer = perRound(ourRow, peerRow);
    const ahead = vsPeer.filter((ratio) => ratio >= 1).length;
    const vsBare = median(perRound(ourRow, floorRow));
    const inFlight = median(perRound(batched[1] as Measured, batched[0] as Measured));
    return [
      `  ${alg} plain sequential: ${vsBare.toFixed(2)}× bare (≥ 0.9: ${vsBare >= 0.9 ? 'met' : 'NOT MET'}); ` +
        `${median(vsPeer).toFixed(3)}× fast-jwt, ahead in ${ahead} of ${ROUNDS} rounds, sign test p = ${signTest(ahead, ROUNDS).toFixed(3)}`,
      `  ${alg} plain 64 in flight: ${inFlight.toFixed(2)}× async bare (≥ 0.9: ${inFlight >= 0.9 ? 'met' : 'NOT MET'})`,
      `  ${alg} for reference, the least a verifier does (lenient decode, iss/aud/exp): ${median(perRound(leastRow, floorRow)).toFixed(2)}× bare; tokenwarden ${median(perRound(ourRow, leastRow)).toFixed(3)}× it`,
    ];
  } finally {
    await jwks.close();
  }
}

/** Runs the plain method for every algorithm of BENCH_ALGS and prints its standing. */
export async function plainSection(): Promise<void> {
  const algorithms = (process.env.BENCH_ALGS ?? 'RS256,ES256,EdDSA').split(',') as BenchAlgorithm[];
  const standing: string[] = [];
  for (const alg of algorithms) standing.push(...(await plainAlgorithm(alg)));
  console.log('\nThe plain method against the goals (medians of per-round ratios)');
  for (const line of standing) console.log(line);
}
