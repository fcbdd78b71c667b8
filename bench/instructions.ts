// `npm run bench:instructions`: instructions per verification, counted by valgrind's callgrind.
// Wall-clock ratios on a shared machine move by several per cent from run to run; instruction
// counts do not follow the machine's mood, so they tell apart differences of a per cent or two
// that `npm run bench` cannot. They do not see cache misses, IPC or the thread pool, so this
// complements the timed benchmark rather than replacing it. One thing still moves a figure: a
// major collection that falls inside one verifier's counted stretch and not another's adds
// 10k–20k instructions per token to that one, so compare two runs before reading much into a
// difference of that size.
//
// Each verifier runs alone in a process under callgrind: it verifies WARM_SETS sets of tokens
// (V8 is still optimising some functions after 3000 verifications), then COUNTED_SETS more
// between two calls of `os.getPriority()`. Callgrind is told to dump its counters whenever libuv's
// `uv_os_getpriority` is entered, so the middle dump holds exactly the counted verifications:
// start-up and key import never reach the figure. Compilation that warm-up left for the counted
// stretch (Node 22 and 24 tier up through Maglev and are still at it after thousands of
// verifications) is read from the dump's calls into V8's compile entries and left out of the
// figure; the table prints it beside each row. A second table splits each verifier's figure
// into the signature call, JSON.parse, Node's other native helpers (Buffer, TextDecoder) and
// the rest, JavaScript and V8's builtins, which for tokenwarden it then lists by function (the
// JavaScript named from the perf map Node writes under --perf-basic-prof; see
// ./instruction-breakdown.ts). `least` is the reference of contenders.ts, not a verifier to use.
//   BENCH_ALGS     comma-separated algorithms (default RS256,ES256,EdDSA)
//   BENCH_TOKENS   tokens per set (default 1000)
//   BENCH_WHO      comma-separated verifiers to count (default all; e.g. bare,tokenwarden)
//   BENCH_WARM_SETS sets verified before counting (default 5)
import { countInstructions, countedStretch, hasValgrind, parentOrChild } from './callgrind.js';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsJwtVerify, bareSync, fastJwt, jose, leastVerifier, tokenwarden, type Contender } from './contenders.js';
import type { InstructionBreakdown } from './instruction-breakdown.js';
import { createKeys, createTokens, serveJwks, type BenchAlgorithm, type BenchKeys } from './fixtures.js';
import { sequential } from './measure.js';

const TOKENS = Number(process.env.BENCH_TOKENS ?? 1000);
// Node 22 and 24 (Maglev before TurboFan) finish optimising later than Node 20: with 5 sets of 500
// their counted stretch still held ~150k instructions per token of TurboFan compilation.
const WARM_SETS = Number(process.env.BENCH_WARM_SETS ?? 5);
const COUNTED_SETS = 2;
// Token lifetimes and key freshness are judged against this instant by the parent that signs
// the tokens and by every child, whatever the wall clock says while valgrind crawls.
const NOW_MS = 1_900_000_000_000;
// The verifiers, in the order of the table, each configured as in `npm run bench`.
const CONTENDERS = {
  bare: (keys: BenchKeys) => bareSync(keys),
  tokenwarden: (keys: BenchKeys, jwksUri: string) => tokenwarden(keys, jwksUri),
  // A reference, not a verifier to use: the bare call plus a lenient payload decode and three
  // claim comparisons (see contenders.ts).
  least: (keys: BenchKeys) => leastVerifier(keys),
  'fast-jwt': (keys: BenchKeys) => fastJwt(keys),
  'aws-jwt-verify': (keys: BenchKeys) => awsJwtVerify(keys),
  jose: (keys: BenchKeys) => jose(keys),
} satisfies Record<string, (keys: BenchKeys, jwksUri: string) => Contender | Promise<Contender>>;
type ContenderName = keyof typeof CONTENDERS;
const PEERS: readonly ContenderName[] = ['fast-jwt', 'aws-jwt-verify', 'jose'];
// Functions listed in tokenwarden's own breakdown.
const TOP_FUNCTIONS = 12;
const WHO = (process.env.BENCH_WHO?.split(',') ?? Object.keys(CONTENDERS)) as ContenderName[];
for (const who of WHO) if (!(who in CONTENDERS)) throw new Error(`BENCH_WHO: unknown verifier ${who}`);

/** One algorithm's key and token sets, made once by the parent and read by every child. */
interface Fixture {
  readonly alg: BenchAlgorithm;
  readonly privateJwk: object;
  readonly sets: readonly (readonly string[])[];
}

async function child(): Promise<void> {
  const who = process.env.INSTRUCTIONS_WHO as ContenderName;
  Date.now = () => NOW_MS;
  const fixture = JSON.parse(readFileSync(process.env.INSTRUCTIONS_FIXTURE as string, 'utf8')) as Fixture;
  const keys = createKeys(fixture.alg, createPrivateKey({ key: fixture.privateJwk as never, format: 'jwk' }));
  const jwks = await serveJwks([keys]);
  try {
    const run = sequential((await CONTENDERS[who](keys, jwks.uri)).verify);
    await countedStretch(fixture.sets, WARM_SETS, run);
  } finally {
    await jwks.close();
  }
}

async function main(): Promise<void> {
  if (!hasValgrind('bench:instructions')) return;
  const counted = TOKENS * COUNTED_SETS;
  console.log(`tokenwarden instruction counts — Node ${process.version}, ${counted} distinct tokens counted per verifier`);
  Date.now = () => NOW_MS;
  const dir = mkdtempSync(join(tmpdir(), 'tokenwarden-instructions-'));
  try {
    for (const alg of (process.env.BENCH_ALGS ?? 'RS256,ES256,EdDSA').split(',') as BenchAlgorithm[]) {
      // Signed here, once: every verifier gets the very same tokens and only verifies them.
      const keys = createKeys(alg);
      const fixture: Fixture = {
        alg,
        privateJwk: keys.privateKey.export({ format: 'jwk' }),
        sets: Array.from({ length: WARM_SETS + COUNTED_SETS }, (_, set) => createTokens(keys, TOKENS, set * TOKENS)),
      };
      const fixtureFile = join(dir, `${alg}.json`);
      writeFileSync(fixtureFile, JSON.stringify(fixture));
      // Per token, without what V8's compilers did inside the stretch (left-over warm-up); that
      // share is printed beside each row.
      const perToken = new Map<ContenderName, number>();
      const compiling = new Map<ContenderName, number>();
      const breakdowns = new Map<ContenderName, InstructionBreakdown>();
      for (const who of WHO) {
        const { total, compiler, breakdown } = countInstructions(new URL(import.meta.url).pathname, { INSTRUCTIONS_WHO: who, INSTRUCTIONS_FIXTURE: fixtureFile }, who, dir);
        perToken.set(who, (total - compiler) / counted);
        compiling.set(who, compiler / counted);
        breakdowns.set(who, breakdown);
      }

      const bare = perToken.get('bare') ?? Number.NaN;
      // Among the peers counted in this run (BENCH_WHO may name only some).
      const fastestPeer = Math.min(...PEERS.flatMap((who) => perToken.get(who) ?? []));
      console.log(`\n${alg} — sequential, distinct tokens, cached keys (fewer instructions is faster)`);
      console.log(`  ${'verifier'.padEnd(18)} ${'instructions'.padStart(12)} ${'over bare'.padStart(10)}  ${'× bare'.padEnd(8)} ${'× fastest peer'.padEnd(15)} compiling (left out)`);
      for (const [who, count] of perToken) {
        console.log(
          `  ${who.padEnd(18)} ${Math.round(count).toString().padStart(12)} ${Math.round(count - bare).toString().padStart(10)}  ` +
            `${(bare / count).toFixed(3).padEnd(8)} ${(fastestPeer / count).toFixed(3).padEnd(15)} ${Math.round(compiling.get(who) ?? 0)}`,
        );
      }
      printBreakdowns(breakdowns, compiling, counted);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Where each verifier's instructions went, per token: the signature call, JSON.parse, Node's
 * other native helpers, and the rest (JavaScript and V8's builtins and runtime), compilation
 * left out as above; then tokenwarden's JavaScript and builtins by function.
 */
function printBreakdowns(breakdowns: ReadonlyMap<ContenderName, InstructionBreakdown>, compiling: ReadonlyMap<ContenderName, number>, counted: number): void {
  const k = (instructions: number): string => `${(instructions / counted / 1000).toFixed(1)}k`.padStart(10);
  console.log(`\n  where they go, per token (instructions; "the rest" is JavaScript and V8's builtins and runtime)`);
  console.log(`  ${'verifier'.padEnd(18)} ${'signature call'.padStart(14)} ${'JSON.parse'.padStart(10)} ${'Buffer, TextDecoder'.padStart(19)} ${'the rest'.padStart(10)}`);
  let unnamedNative = false;
  for (const [who, b] of breakdowns) {
    const rest = b.total - (compiling.get(who) ?? 0) * counted - b.signature - b.jsonParse - b.nodeNative;
    // Every verification calls into node::crypto: none seen means the binary has no symbols
    // for Node's native code (the builds of the npm package `node` do not), not that none ran.
    const native = (instructions: number): string => (b.signature === 0 ? 'n/a' : k(instructions));
    unnamedNative ||= b.signature === 0;
    console.log(`  ${who.padEnd(18)} ${native(b.signature).padStart(14)} ${k(b.jsonParse)} ${native(b.nodeNative).padStart(19)} ${k(rest)}`);
  }
  if (unnamedNative) console.log("  n/a: this node binary has no symbols for Node's native code, which the rest then holds");
  const own = breakdowns.get('tokenwarden');
  if (own === undefined) return;
  console.log(`\n  tokenwarden's JavaScript and builtins by function, exclusive, per token (the ${TOP_FUNCTIONS} largest)`);
  for (const [name, instructions] of [...own.functions].sort((a, b) => b[1] - a[1]).slice(0, TOP_FUNCTIONS)) {
    console.log(`  ${k(instructions)}  ${name}`);
  }
}

await parentOrChild(main, child);
