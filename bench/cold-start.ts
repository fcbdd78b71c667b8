// Cold start: what a fresh process (a serverless function's first invocation) pays to import a
// verifier library and create a verifier, before any token or key set. Each run is its own node
// process; the scenarios take turns round by round (who goes first rotates), so a busy spell of
// a shared machine falls on all of them alike. The child reports its own CPU time
// (process.cpuUsage, user + system, from process start to the end of its script); the parent
// times the process from spawn to exit. A process that only starts node and reports is the
// baseline: what every row pays before the library's own cost.
//   BENCH_COLD_RUNS   processes per scenario (default 40), after one untimed round
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { median, pairedRatio } from './measure.js';

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 40);
const root = resolve(import.meta.dirname, '..');

// The same configuration for every library; nothing is fetched before a token arrives.
const ISSUER = 'https://issuer.example';
const AUDIENCE = 'orders-api';
const JWKS_URI = `${ISSUER}/.well-known/jwks.json`;
const REPORT = 'const usage = process.cpuUsage(); process.stdout.write(String(usage.user + usage.system));';

interface Scenario {
  readonly name: string;
  /** Arguments to node; the code is run from the project root, so `tokenwarden` is the build in dist/. */
  readonly args: readonly string[];
}

const esm = (code: string): string[] => ['--input-type=module', '-e', `${code}\n${REPORT}`];
const cjs = (code: string): string[] => ['-e', `${code}\n${REPORT}`];
const options = JSON.stringify({ issuer: ISSUER, audience: AUDIENCE, jwksUri: JWKS_URI });

const BASELINE = 'node -e (baseline)';
const SCENARIOS: readonly Scenario[] = [
  { name: BASELINE, args: cjs('') },
  { name: 'tokenwarden (ESM)', args: esm(`import { createVerifier } from 'tokenwarden';\ncreateVerifier(${options});`) },
  { name: 'tokenwarden (CJS)', args: cjs(`const { createVerifier } = require('tokenwarden');\ncreateVerifier(${options});`) },
  // jose verifies with jwtVerify against a key set made by createRemoteJWKSet: that is all it needs.
  {
    name: 'jose (ESM)',
    args: esm(`import { createRemoteJWKSet, jwtVerify } from 'jose';\nconst keys = createRemoteJWKSet(new URL(${JSON.stringify(JWKS_URI)}));\nvoid jwtVerify;`),
  },
  { name: 'aws-jwt-verify (ESM)', args: esm(`import { JwtVerifier } from 'aws-jwt-verify';\nJwtVerifier.create(${options});`) },
  { name: 'aws-jwt-verify (CJS)', args: cjs(`const { JwtVerifier } = require('aws-jwt-verify');\nJwtVerifier.create(${options});`) },
];
const PEERS = ['jose (ESM)', 'aws-jwt-verify (ESM)'];
/** Each of ours, and the peer row in the same module system when there is one. */
const OURS: readonly (readonly [string, string | undefined])[] = [
  ['tokenwarden (ESM)', undefined],
  ['tokenwarden (CJS)', 'aws-jwt-verify (CJS)'],
];

interface Sample {
  /** Milliseconds of CPU, user + system. */
  readonly cpu: number;
  /** Milliseconds from spawn to exit. */
  readonly wall: number;
}

// Without NODE_OPTIONS: what the bench itself runs under (a loader, --expose-gc) is not what a
// user's process starts with.
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_OPTIONS'));

function runOnce(scenario: Scenario): Sample {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, scenario.args, { cwd: root, env: childEnv, encoding: 'utf8', timeout: 30_000 });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0) throw new Error(`${scenario.name} failed (${child.status ?? child.signal}): ${child.stderr}`);
  return { cpu: Number(child.stdout) / 1000, wall };
}

/** The ESM and CJS builds in dist/, built first when missing or older than src/. */
function ensureBuild(): void {
  const built = join(root, 'dist/node/index.js');
  const newestSource = Math.max(
    ...readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= newestSource) return;
  console.log('\n(cold start measures the build in dist/, which is missing or older than src/: npm run build)');
  const build = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('npm run build failed');
}

export async function coldStartSection(): Promise<void> {
  ensureBuild();
  const samples = new Map<string, Sample[]>(SCENARIOS.map((scenario) => [scenario.name, []]));
  for (const scenario of SCENARIOS) runOnce(scenario); // untimed: fills the file cache
  for (let round = 0; round < RUNS; round++) {
    for (let turn = 0; turn < SCENARIOS.length; turn++) {
      const scenario = SCENARIOS[(turn + round) % SCENARIOS.length] as Scenario;
      (samples.get(scenario.name) as Sample[]).push(runOnce(scenario));
    }
  }
  const cpu = (name: string): number[] => (samples.get(name) as Sample[]).map((sample) => sample.cpu);
  const wall = (name: string): number[] => (samples.get(name) as Sample[]).map((sample) => sample.wall);
  const base = { cpu: median(cpu(BASELINE)), wall: median(wall(BASELINE)) };
  const lighter = PEERS.reduce((best, name) => (median(cpu(name)) < median(cpu(best)) ? name : best));

  console.log(`\nCold start — import + create a verifier, fresh node process, median of ${RUNS} runs each (ms; "+" is over the baseline)`);
  console.log(`  ${'scenario'.padEnd(24)} ${'CPU'.padStart(7)} ${'+CPU'.padStart(7)} ${'wall'.padStart(7)} ${'+wall'.padStart(7)}`);
  for (const { name } of SCENARIOS) {
    const [c, w] = [median(cpu(name)), median(wall(name))];
    const over = (value: number, floor: number): string => (name === BASELINE ? '-' : (value - floor).toFixed(1));
    console.log(`  ${name.padEnd(24)} ${c.toFixed(1).padStart(7)} ${over(c, base.cpu).padStart(7)} ${w.toFixed(1).padStart(7)} ${over(w, base.wall).padStart(7)}`);
  }

  // CPU ratios are paired run by run (the runs of one round ran side by side); over the
  // baseline, they are ratios of the medians, since a per-run difference of two noisy
  // processes is noisier than either.
  console.log(`\nCold start against the lighter peer, ${lighter} (goal: CPU ≤ 1.1×)`);
  for (const [ours, sameSystem] of OURS) {
    for (const peer of sameSystem === undefined ? [lighter] : [lighter, sameSystem]) {
      const paired = pairedRatio(cpu(ours), cpu(peer)).median;
      const net = (median(cpu(ours)) - base.cpu) / (median(cpu(peer)) - base.cpu);
      const wallRatio = pairedRatio(wall(ours), wall(peer)).median;
      const verdict = peer === lighter ? ` (≤ 1.1: ${paired <= 1.1 ? 'met' : 'NOT MET'})` : '';
      console.log(
        `  ${ours} × ${peer}: CPU ${paired.toFixed(2)}×${verdict}; over the baseline ${net.toFixed(2)}×; wall ${wallRatio.toFixed(2)}×`,
      );
    }
  }
}
