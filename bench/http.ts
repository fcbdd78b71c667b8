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

const SECONDS = Number(process.env.BENCH_HTTP ?? 10);
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

export async function httpSection(): Promise<void> {
  if (SECONDS <= 0) return;
  const keys = createKeys('RS256');
  const jwks = await serveJwks([keys]);
  // get-jwks derives the key-set URL from `iss`, so the loopback server is the issuer here.
  const authorizations = createTokens(keys, TOKENS, 0, jwks.origin).map((token) => `Bearer ${token}`);
  try {
    for (const [framework, contenders] of Object.entries(CONTENDERS)) {
      console.log(`\n${framework} — GET /orders, 64 connections (one request outstanding on each), ${SECONDS} s each, RS256, ${TOKENS} distinct tokens in rotation`);
      console.log(
        `  ${'stack'.padEnd(34)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)}  non-2xx  × no auth  service CPU  µs CPU/req  generator CPU`,
      );
      let baseline = Number.NaN;
      for (const [name, auth] of contenders) {
        const { port, child } = await startService(framework, auth, jwks.origin, jwks.uri);
        try {
          // One untimed second first: the service compiles its hot paths and the cache admits the tokens.
          await closedLoop({ port, path: '/orders', connections: 64, depth: 1, seconds: 1, authorizations });
          const serviceBefore = cpuSecondsOf(child.pid as number);
          const started = process.hrtime.bigint();
          const result = await closedLoop({ port, path: '/orders', connections: 64, depth: 1, seconds: SECONDS, authorizations });
          const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
          const serviceCpu = cpuSecondsOf(child.pid as number) - serviceBefore;
          if (auth === 'none') baseline = result.perSecond;
          // A service near 100% of a core is saturated: its req/s is what it can serve. One
          // below that, with the generator near its own core, was waiting for requests.
          const cpu = (share: number): string => `${Math.round(share * 100)}%`;
          const ms = (q: number): string => quantile(result.latencies, q).toFixed(2).padStart(7);
          console.log(
            `  ${name.padEnd(34)} ${Math.round(result.perSecond).toString().padStart(8)} ${ms(0.5)} ${ms(0.99)}  ${String(result.non2xx).padStart(7)}  ${(result.perSecond / baseline).toFixed(2).padStart(7)}  ${cpu(serviceCpu / elapsed).padStart(11)}  ${((serviceCpu / elapsed / result.perSecond) * 1e6).toFixed(0).padStart(9)}  ${cpu(result.cpu).padStart(13)}`,
          );
        } finally {
          child.kill();
          await once(child, 'exit');
        }
      }
    }
  } finally {
    await jwks.close();
  }
}
