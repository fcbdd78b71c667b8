// Running one child process under callgrind and reading the instructions of its counted
// stretch: shared by `npm run bench:instructions` and its DPoP counterpart. The child marks
// the stretch with two calls of `markCountedStretch()`; callgrind dumps its counters whenever
// libuv's `uv_os_getpriority` is entered, so the middle dump holds exactly what lies between.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { instructionBreakdown, perfMapNames, readCallgrindDump, type CallgrindDump, type InstructionBreakdown } from './instruction-breakdown.js';
import { exposedGc } from './measure.js';

const MARKER = 'uv_os_getpriority';

/** Marks the start, then the end, of the counted stretch (it enters the marker function). */
export const markCountedStretch = (): void => {
  getPriority();
};

/** The instructions of a counted stretch, and how many of them V8's compilers executed. */
export interface CountedInstructions {
  readonly total: number;
  /**
   * Spent compiling JavaScript (bytecode, Sparkplug, Maglev, TurboFan) inside the stretch:
   * warm-up left over, which Node 22 and 24 (Maglev before TurboFan) still do after thousands of
   * verifications. `total - compiler` is what the verifications themselves cost.
   */
  readonly compiler: number;
  /** Where the stretch's instructions went, compilation included. */
  readonly breakdown: InstructionBreakdown;
}

// The runtime functions through which JavaScript asks V8 to compile: lazily (bytecode), on a
// tiering tick (Sparkplug, Maglev, TurboFan; synchronously here, --no-concurrent-recompilation)
// or eagerly. Only JavaScript and builtins call them, never the compilers themselves, so no
// compilation is counted twice; what they do besides compiling is a few hundred instructions of
// tiering bookkeeping.
const COMPILE_ENTRY = /^v8::internal::Runtime_(?:Compile\w*|BytecodeBudgetInterrupt\w*|InstallBaselineCode|OptimizeMaglevEager|OptimizeTurbofanEager|Start\w*OptimizationJob)\(/;

/**
 * The inclusive cost of every call into one of V8's compile entries, from a callgrind dump:
 * everything the compilers did, with all they called.
 */
export function compilerInstructions(dump: CallgrindDump): number {
  return dump.calls.reduce((sum, { callee, cost }) => (COMPILE_ENTRY.test(callee) ? sum + cost : sum), 0);
}

/**
 * Runs `script` under callgrind with `env` and returns the instructions between its two
 * markers. `label` names the run in errors and its dump files in `dir`.
 */
export function countInstructions(script: string, env: Record<string, string>, label: string, dir: string): CountedInstructions {
  const out = join(dir, `${label}.callgrind`);
  const run = spawnSync(
    'valgrind',
    [
      '--tool=callgrind',
      `--callgrind-out-file=${out}`,
      `--dump-before=${MARKER}`,
      process.execPath,
      // The collector and the optimising compiler on the main thread, so that what they do for
      // the counted verifications is counted with them rather than racing them.
      '--single-threaded-gc',
      // undici's HTTP parser is WebAssembly, which V8 recompiles in the background once it is
      // warm; that fetched the key set at start-up and has nothing to do with verifying, but
      // would land inside the counted stretch of some runs and not others.
      '--liftoff-only',
      // A young generation of fixed size, the largest V8 grows it to by default: its
      // collections then come after the same allocations in every run, as in a warm service.
      '--min-semi-space-size=16',
      '--max-semi-space-size=16',
      '--expose-gc',
      '--no-concurrent-recompilation',
      // Names for the JavaScript V8 compiles, which callgrind sees only as addresses: Node
      // writes them to /tmp/perf-<pid>.map (valgrind runs node in its own process).
      '--perf-basic-prof',
      // which also starts V8's log: kept in `dir` rather than the working directory.
      '--no-logfile-per-isolate',
      `--logfile=${join(dir, `${label}.v8.log`)}`,
      '--import',
      'tsx',
      script,
    ],
    { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  if (run.status !== 0) throw new Error(`callgrind run failed for ${label}:\n${run.stderr.slice(-2000)}`);
  // Dump 1 ends at the first marker, dump 2 at the second: dump 2 is the counted stretch. A third
  // would mean something else entered the marker, and the stretches would not be ours.
  if (existsSync(`${out}.3`)) throw new Error(`${MARKER} was entered more than twice in the run of ${label}`);
  const dump = readCallgrindDump(readFileSync(`${out}.2`, 'utf8'));
  if (dump.total === undefined) throw new Error(`no totals in the callgrind dump of ${label}`);
  const perfMap = `/tmp/perf-${run.pid}.map`;
  const names = existsSync(perfMap) ? perfMapNames(readFileSync(perfMap, 'utf8')) : undefined;
  rmSync(perfMap, { force: true });
  return { total: dump.total, compiler: compilerInstructions(dump), breakdown: instructionBreakdown(dump, names) };
}

/** Whether valgrind is installed; says what `what` needs when it is not. */
export function hasValgrind(what: string): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.error(`${what} needs valgrind (apt-get install valgrind)`);
    process.exitCode = 1;
    return false;
  }
}

/**
 * In the child: runs the warm-up sets, then the counted ones between the two markers, each set
 * through `runSet`.
 */
export async function countedStretch<Set>(sets: readonly Set[], warmSets: number, runSet: (set: Set) => Promise<void>): Promise<void> {
  for (const set of sets.slice(0, warmSets)) await runSet(set);
  // A full collection first, so that the one start-up leaves due (tsx, the fixture) does not
  // fall inside the counted stretch in some runs and not in others.
  (exposedGc as NonNullable<typeof exposedGc>)();
  markCountedStretch(); // start-up and warm-up end here
  for (const set of sets.slice(warmSets)) await runSet(set);
  markCountedStretch(); // the counted stretch ends here
}

/** A harness script is both: the parent that spawns the runs, and the child each run starts. */
export async function parentOrChild(parent: () => Promise<void>, child: () => Promise<void>): Promise<void> {
  await (process.env.INSTRUCTIONS_WHO === undefined ? parent() : child());
}
