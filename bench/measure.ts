// Throughput measurement: every run is bounded by the number of tokens it is given.

export type VerifyFn = (token: string) => unknown;
export type Runner = (tokens: readonly string[]) => Promise<void>;

/**
 * Median rate of three timed passes, after one warm-up pass; operations per second. Each pass
 * gets its own tokens from `passes` (warm-up first), so a verifier that remembers tokens is
 * measured on tokens it has never seen, unless the same list is passed four times on purpose.
 */
export async function opsPerSecond(passes: readonly (readonly string[])[], run: Runner): Promise<number> {
  const [warmUp, ...timed] = passes;
  if (warmUp === undefined || timed.length === 0) throw new Error('need a warm-up pass and timed passes');
  await run(warmUp);
  const rates: number[] = [];
  for (const tokens of timed) {
    const started = process.hrtime.bigint();
    await run(tokens);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    rates.push(tokens.length / seconds);
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)] as number;
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
