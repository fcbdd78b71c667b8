// Inside and outside the signature call (part of section `profile`): for bare crypto.verify,
// the least a verifier does and tokenwarden, the time each sequential verification spends inside
// node:crypto's one-shot `verify` and the time it spends around it, under the plain method's loop
// (fresh tokens per pass, a 300-call warm-up, every call awaited, rounds interleaved). A CPU
// profile gives shares of sampled time; this gives microseconds per call, split where the goal
// "≥ 0.9× bare" is decided: the signature call is a floor every contender pays, so the goal
// caps what may be spent outside it.
//
// Each contender also makes a second pass on tokens of its own with the signature call stubbed
// (it answers "valid" at once, and the tokens are all valid): what the work outside the call costs
// when nothing else runs on the core between one verification's JavaScript and the next. Set
// beside the first pass's "outside", it shows how much a real signature call slows the
// JavaScript around it.
//
// It wraps node:crypto's `verify` for the length of the section (named ESM imports of it see the
// wrapper through `syncBuiltinESMExports`) and puts the original back afterwards. fast-jwt is
// left out: it verifies through a streaming `Verify`, which this wrapper does not see.
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { bareSync, leastVerifier, tokenwarden, type Contender } from './contenders.js';
import { createKeys, createTokens, serveJwks, type BenchAlgorithm } from './fixtures.js';
import { median } from './measure.js';

const TOKENS = Number(process.env.BENCH_PLAIN_TOKENS ?? 2000);
const ROUNDS = Number(process.env.BENCH_PLAIN_ROUNDS ?? 7);
const WARM_UP = 300;

/** Time spent inside node:crypto's `verify` while the wrapper is installed. */
export interface SignatureCallTimer {
  /** Milliseconds inside `verify` and the calls counted since the last reset. */
  readonly inside: () => { readonly milliseconds: number; readonly calls: number };
  readonly reset: () => void;
  /** Bench only: while on, `verify` answers `true` without checking anything. */
  readonly stub: (on: boolean) => void;
  /** Puts node:crypto's own `verify` back, for every importer. */
  readonly restore: () => void;
}

/**
 * Installs a timing wrapper around node:crypto's `verify` that every importer sees, the ones
 * that imported it by name included. A call that throws is not counted. A callback
 * (thread-pool) call is counted but returns at once, so its time inside measures nothing: the
 * section times sequential passes, which verify on the calling thread.
 */
export function timeSignatureCalls(): SignatureCallTimer {
  const original = crypto.verify;
  let milliseconds = 0;
  let calls = 0;
  let stubbed = false;
  const wrapper = function (this: unknown, ...args: Parameters<typeof crypto.verify>) {
    const started = performance.now();
    const result = stubbed ? answerValid(args[4]) : Reflect.apply(original, this, args);
    milliseconds += performance.now() - started;
    calls++;
    return result;
  } as typeof crypto.verify;
  crypto.verify = wrapper;
  syncBuiltinESMExports();
  return {
    inside: () => ({ milliseconds, calls }),
    reset: () => {
      milliseconds = 0;
      calls = 0;
    },
    stub: (on) => {
      stubbed = on;
    },
    restore: () => {
      crypto.verify = original;
      syncBuiltinESMExports();
    },
  };
}

/** A stubbed call's answer: `true`, or for the callback form, `true` through the callback. */
function answerValid(callback: unknown): boolean | undefined {
  if (typeof callback !== 'function') return true;
  queueMicrotask(() => (callback as (error: null, valid: boolean) => void)(null, true));
  return undefined;
}

interface Split {
  readonly name: string;
  /** Per round, µs per call: the whole call, inside the signature call, outside it with the signature call stubbed. */
  readonly totals: number[];
  readonly insides: number[];
  readonly stubbedOutsides: number[];
}

/** One timed pass after its warm-up: µs per call in all, and inside the signature call. */
async function timedPass(contender: Contender, tokens: readonly string[], timer: SignatureCallTimer): Promise<{ total: number; inside: number }> {
  for (const token of tokens.slice(0, WARM_UP)) await contender.verify(token);
  timer.reset();
  const started = performance.now();
  for (const token of tokens.slice(WARM_UP)) await contender.verify(token);
  const total = performance.now() - started;
  const { milliseconds, calls } = timer.inside();
  if (calls !== TOKENS) throw new Error(`${contender.name} made ${calls} signature calls for ${TOKENS} tokens`);
  return { total: (total * 1000) / TOKENS, inside: (milliseconds * 1000) / TOKENS };
}

async function splitAlgorithm(alg: BenchAlgorithm, timer: SignatureCallTimer): Promise<void> {
  const keys = createKeys(alg);
  const jwks = await serveJwks([keys]);
  try {
    const contenders: Contender[] = [bareSync(keys), leastVerifier(keys), await tokenwarden(keys, jwks.uri)];
    const splits: Split[] = contenders.map((contender) => ({ name: contender.name, totals: [], insides: [], stubbedOutsides: [] }));
    for (let round = 0; round < ROUNDS; round++) {
      // A round's tokens are signed before any of its passes is timed, as in the plain method;
      // two sets per contender, since a token seen twice would be admitted to tokenwarden's cache.
      const sets = contenders.map((_, index) => createTokens(keys, 2 * (WARM_UP + TOKENS), 1e8 + (round * contenders.length + index) * 1e5));
      for (const [index, contender] of contenders.entries()) {
        const tokens = sets[index]!;
        const real = await timedPass(contender, tokens.slice(0, WARM_UP + TOKENS), timer);
        timer.stub(true);
        const stubbed = await timedPass(contender, tokens.slice(WARM_UP + TOKENS), timer).finally(() => timer.stub(false));
        splits[index]!.totals.push(real.total);
        splits[index]!.insides.push(real.inside);
        splits[index]!.stubbedOutsides.push(stubbed.total - stubbed.inside);
      }
    }
    const outsides = (split: Split): number[] => split.totals.map((total, round) => total - split.insides[round]!);
    const bare = splits[0]!;
    console.log(`\n${alg} — inside and outside node:crypto's verify, sequential, µs per call (medians of ${ROUNDS} rounds of ${TOKENS} fresh tokens)`);
    console.log(`  ${'contender'.padEnd(30)} ${'total'.padStart(7)} ${'inside'.padStart(7)} ${'outside'.padStart(8)} ${'outside, call stubbed'.padStart(22)} ${'× bare'.padStart(7)}`);
    for (const split of splits) {
      const ratio = median(split.totals.map((total, round) => bare.totals[round]! / total));
      console.log(
        `  ${split.name.padEnd(30)} ${median(split.totals).toFixed(2).padStart(7)} ${median(split.insides).toFixed(2).padStart(7)} ${median(outsides(split)).toFixed(2).padStart(8)} ${median(split.stubbedOutsides).toFixed(2).padStart(22)} ${ratio.toFixed(2).padStart(7)}`,
      );
    }
    // 0.9× bare allows bare's time / 0.9 per call; a verifier whose signature call costs what
    // bare's does may spend the rest outside it (bare's own outside included).
    const budget = median(bare.totals.map((total, round) => total / 0.9 - bare.insides[round]!));
    console.log(`  at 0.9× bare, with a signature call as long as bare's, a verifier may spend ${budget.toFixed(2)} µs outside it`);
  } finally {
    await jwks.close();
  }
}

/** The split for every algorithm of BENCH_ALGS. */
export async function signatureSplitSection(): Promise<void> {
  const algorithms = (process.env.BENCH_ALGS ?? 'RS256,ES256,EdDSA').split(',') as BenchAlgorithm[];
  const timer = timeSignatureCalls();
  try {
    for (const alg of algorithms) await splitAlgorithm(alg, timer);
  } finally {
    timer.restore();
  }
}
