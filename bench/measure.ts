// Throughput measurement: every run is bounded by the number of tokens it is given.
import { GCProfiler, getHeapStatistics } from 'node:v8';

/** node's garbage collector, present when node runs with --expose-gc (npm run bench passes it). */
export const exposedGc = globalThis.gc;

export type VerifyFn = (token: string) => unknown;
export type Runner = (tokens: readonly string[]) => Promise<void>;

/** What each runner did in each timed pass: `rates[runner][round]`, and the same for `bytes`. */
export interface PassResults {
  /** Operations per second. */
  readonly rates: number[][];
  /** Bytes of JavaScript heap allocated per operation (whatever collections freed, counted back in). */
  readonly bytes: number[][];
}

/**
 * Runs every runner over the same token lists and times each pass: `passes[0]` to warm up, then
 * one list per round. Runners take turns pass by pass (who goes first rotates), rather than one
 * finishing before the next starts, so a slow spell of a shared machine falls on all of them
 * alike, and the rates of one round can be compared pairwise. A verifier that remembers tokens
 * therefore sees each token once, unless a list repeats on purpose.
 *
 * Each timed pass starts on an empty young generation (a minor collection, untimed; node must
 * run with --expose-gc). Otherwise a scavenge (2–5 ms here, about 3% of a 2 000-token pass) fell
 * into whichever pass filled the young generation: fair on average, since a pass that allocates
 * more is likelier to be the one, but it landed in one pass of three or four and swung single
 * rounds by ±3%. Now a pass pays only for collections its own allocation triggers, which for a
 * pass smaller than the young generation is none. That leaves out a cost that grows with what a
 * verifier allocates, which favours whoever allocates more, so the bytes are measured alongside.
 */
export async function interleavedPasses(runners: readonly Runner[], passes: readonly (readonly string[])[]): Promise<PassResults> {
  const [warmUp, ...rounds] = passes;
  if (warmUp === undefined || rounds.length === 0) throw new Error('need a warm-up pass and timed passes');
  const collectYoung = youngCollector();
  for (const run of runners) await run(warmUp);
  const rates: number[][] = runners.map(() => []);
  const bytes: number[][] = runners.map(() => []);
  for (const [round, tokens] of rounds.entries()) {
    for (let turn = 0; turn < runners.length; turn++) {
      const index = (turn + round) % runners.length;
      collectYoung();
      const profiler = new GCProfiler();
      profiler.start();
      const heapBefore = getHeapStatistics().used_heap_size;
      const started = process.hrtime.bigint();
      await (runners[index] as Runner)(tokens);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const heapAfter = getHeapStatistics().used_heap_size;
      const freed = profiler
        .stop()
        .statistics.reduce((sum, gc) => sum + gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize, 0);
      (rates[index] as number[]).push(tokens.length / seconds);
      (bytes[index] as number[]).push((heapAfter - heapBefore + freed) / tokens.length);
    }
  }
  return { rates, bytes };
}

function youngCollector(): () => void {
  const gc = exposedGc;
  if (gc === undefined) throw new Error('timed passes need node --expose-gc (npm run bench passes it)');
  return () => gc({ type: 'minor' });
}

/**
 * How `rates` compares with `reference`, round by round: the median of the per-round ratios,
 * and in how many rounds it was at least as fast. Pairing the two runners' passes of one round
 * cancels the machine's slow spells, which a ratio of two medians does not, so a lead of 1%
 * can be told from noise of 1% (ahead in 14 of 15 rounds, say, rather than in 8).
 */
export function pairedRatio(rates: readonly number[], reference: readonly number[]): { median: number; ahead: number; rounds: number } {
  const ratios = rates.map((rate, round) => rate / (reference[round] as number));
  return { median: median(ratios), ahead: ratios.filter((ratio) => ratio >= 1).length, rounds: ratios.length };
}

/**
 * The one-sided sign test: the chance of being ahead in at least `ahead` of `rounds` rounds if
 * the two were equally fast (each round a coin toss). Below 0.05, the lead is unlikely to be noise.
 */
export function signTest(ahead: number, rounds: number): number {
  let tail = 0;
  let ways = 1; // C(rounds, k), from k = 0 up
  for (let k = 0; k <= rounds; k++) {
    if (k >= ahead) tail += ways;
    ways = (ways * (rounds - k)) / (k + 1);
  }
  return tail / 2 ** rounds;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** One verification at a time, awaiting each (a sync result is awaited too, as callers would). */
export function sequential(verify: VerifyFn): Runner {
  return async (tokens) => {
    for (const token of tokens) await verify(token);
  };
}

/** `width` verifications in flight at once until `tokens` are used up. */
export function concurrent(verify: VerifyFn, width: number): Runner {
  return async (tokens) => {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < tokens.length) await verify(tokens[next++] as string);
    };
    await Promise.all(Array.from({ length: width }, lane));
  };
}
