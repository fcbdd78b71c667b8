// Throughput measurement: every run is bounded by the number of tokens it is given.

export type VerifyFn = (token: string) => unknown;
export type Runner = (tokens: readonly string[]) => Promise<void>;

/**
 * Operations per second of each runner in each timed pass: `result[runner][round]`. Runners take
 * turns pass by pass (who goes first rotates), rather than one finishing before the next starts,
 * so a slow spell of a shared machine falls on all of them alike, and the rates of one round can
 * be compared pairwise. Every runner gets the same token lists: `passes[0]` to warm up, then one
 * list per round. A verifier that remembers tokens therefore sees each token once, unless a list
 * repeats on purpose.
 */
export async function interleavedPasses(
  runners: readonly Runner[],
  passes: readonly (readonly string[])[],
): Promise<number[][]> {
  const [warmUp, ...rounds] = passes;
  if (warmUp === undefined || rounds.length === 0) throw new Error('need a warm-up pass and timed passes');
  for (const run of runners) await run(warmUp);
  const rates: number[][] = runners.map(() => []);
  for (const [round, tokens] of rounds.entries()) {
    for (let turn = 0; turn < runners.length; turn++) {
      const index = (turn + round) % runners.length;
      const started = process.hrtime.bigint();
      await (runners[index] as Runner)(tokens);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      (rates[index] as number[]).push(tokens.length / seconds);
    }
  }
  return rates;
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
