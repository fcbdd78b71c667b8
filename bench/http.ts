// End to end: Fastify and Express services on loopback under a lean closed-loop generator
// (64 keep-alive connections, one request outstanding on each), tokenwarden's adapter against
// each framework's usual JWT stack and against no auth at all. The generator (./closed-loop.ts)
// costs a fraction of what the services do per request, so each service saturates its core:
// the no-authentication row is the service's rate, not the generator's (issue #22).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { closedLoop } from './closed-loop.js';
import { quantile } from './open-loop.js';
import { createKeys, createTokens, serveJwks } from './fixtures.js';
import { median } from './measure.js';

const SECONDS = Number(process.env.BENCH_HTTP ?? 10);
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 3);
const TOKENS = 1000;
// Clock ticks per second of /proc's CPU times.
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds a process has used (user + system), from /proc/<pid>/stat (Linux). */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

const CONTENDERS = {
  fastify: [
    ['no authentication', 'none'],
    ['tokenwarden/fastify', 'tokenwarden'],
    ['tokenwarden/fastify (cache off)', 'tokenwarden-nocache'],
    ['@fastify/jwt + get-jwks', 'peer'],
  ],
  express: [
    ['no authentication', 'none'],
    ['tokenwarden/express', 'tokenwarden'],
    ['tokenwarden/express (cache off)', 'tokenwarden-nocache'],
    ['express-jwt + jwks-rsa', 'peer'],
  ],
} as const;

async function startService(framework: string, auth: string, issuer: string, jwksUri: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./http-server.ts', import.meta.url).pathname, framework, auth, issuer, jwksUri], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(() => {
      throw new Error(`${framework}/${auth} service exited before listening`);
    }),
  ])) as [string];
  return { port: Number(line), child };
}

interface Row {
  readonly name: string;
  readonly auth: string;
  readonly port: number;
  readonly child: ChildProcess;
  readonly rates: number[];
  readonly serviceCpu: number[];
  readonly generatorCpu: number[];
  readonly p50: number[];
  readonly p99: number[];
  readonly non2xx: number[];
}

export async function httpSection(): Promise<void> {
  if (SECONDS <= 0) return;
  const keys = createKeys('RS256');
  const jwks = await serveJwks([keys]);
  // get-jwks derives the key-set URL from `iss`, so the loopback server is the issuer here.
  const authorizations = createTokens(keys, TOKENS, 0, jwks.origin).map((token) => `Bearer ${token}`);
  const spell = SECONDS / ROUNDS;
  try {
    for (const [framework, contenders] of Object.entries(CONTENDERS)) {
      console.log(
        `\n${framework} — GET /orders, 64 connections (one request outstanding on each), RS256, ${TOKENS} distinct tokens in rotation, ` +
          `${ROUNDS} rounds of ${spell.toFixed(1)} s per stack taken in turns; medians, × no auth paired by round`,
      );
      console.log(
        `  ${'stack'.padEnd(34)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)}  non-2xx  × no auth  service CPU  µs CPU/req  generator CPU`,
      );
      // Every stack's service runs at once, idle but for its turn: a slow spell of the shared
      // machine then falls on all of them in turn rather than on one whole row.
      const rows: Row[] = [];
      try {
        for (const [name, auth] of contenders) {
          const { port, child } = await startService(framework, auth, jwks.origin, jwks.uri);
          rows.push({ name, auth, port, child, rates: [], serviceCpu: [], generatorCpu: [], p50: [], p99: [], non2xx: [] });
          // One untimed second first: the service compiles its hot paths and the cache admits the tokens.
          await closedLoop({ port, path: '/orders', connections: 64, depth: 1, seconds: 1, authorizations });
        }
        for (let round = 0; round < ROUNDS; round++) {
          for (let turn = 0; turn < rows.length; turn++) {
            const row = rows[(turn + round) % rows.length] as Row;
            const serviceBefore = cpuSecondsOf(row.child.pid as number);
            const started = process.hrtime.bigint();
            const result = await closedLoop({ port: row.port, path: '/orders', connections: 64, depth: 1, seconds: spell, authorizations });
            const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
            row.rates.push(result.perSecond);
            row.serviceCpu.push((cpuSecondsOf(row.child.pid as number) - serviceBefore) / elapsed);
            row.generatorCpu.push(result.cpu);
            row.p50.push(quantile(result.latencies, 0.5));
            row.p99.push(quantile(result.latencies, 0.99));
            row.non2xx.push(result.non2xx);
          }
        }
      } finally {
        for (const { child } of rows) child.kill();
        await Promise.all(rows.map(({ child }) => (child.exitCode === null ? once(child, 'exit') : undefined)));
      }
      const baseline = rows.find((row) => row.auth === 'none') as Row;
      for (const row of rows) {
        // A service near 100% of a core is saturated: its req/s is what it can serve. One
        // below that, with the generator near its own core, was waiting for requests.
        const cpu = (share: number): string => `${Math.round(share * 100)}%`;
        const ms = (values: number[]): string => median(values).toFixed(2).padStart(7);
        const vsNone = median(row.rates.map((rate, round) => rate / (baseline.rates[round] as number)));
        const perRequest = median(row.serviceCpu.map((share, round) => (share / (row.rates[round] as number)) * 1e6));
        console.log(
          `  ${row.name.padEnd(34)} ${Math.round(median(row.rates)).toString().padStart(8)} ${ms(row.p50)} ${ms(row.p99)}  ${String(row.non2xx.reduce((a, b) => a + b, 0)).padStart(7)}  ${vsNone.toFixed(2).padStart(7)}  ${cpu(median(row.serviceCpu)).padStart(11)}  ${perRequest.toFixed(0).padStart(9)}  ${cpu(median(row.generatorCpu)).padStart(13)}`,
        );
      }
    }
  } finally {
    await jwks.close();
  }
}
