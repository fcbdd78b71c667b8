// End to end: Fastify and Express services on loopback under autocannon (64 connections),
// tokenwarden's adapter against each framework's usual JWT stack and against no auth at all.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
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

/** CPU seconds this process (the load generator) has used. */
const ownCpuSeconds = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

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
  const tokens = createTokens(keys, TOKENS, 0, jwks.origin);
  try {
    for (const [framework, contenders] of Object.entries(CONTENDERS)) {
      console.log(`\n${framework} — GET /orders, 64 connections, ${SECONDS} s each, RS256, ${TOKENS} distinct tokens in rotation`);
      console.log(
        `  ${'stack'.padEnd(34)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)}  non-2xx  × no auth  service CPU  µs CPU/req  generator CPU`,
      );
      let baseline = Number.NaN;
      for (const [name, auth] of contenders) {
        const { port, child } = await startService(framework, auth, jwks.origin, jwks.uri);
        try {
          let next = 0;
          const serviceBefore = cpuSecondsOf(child.pid as number);
          const generatorBefore = ownCpuSeconds();
          const started = process.hrtime.bigint();
          const result = await autocannon({
            url: `http://127.0.0.1:${port}/orders`,
            connections: 64,
            duration: SECONDS,
            requests: [
              {
                setupRequest: (request) => ({
                  ...request,
                  headers: { ...request.headers, authorization: `Bearer ${tokens[next++ % TOKENS] as string}` },
                }),
              },
            ],
          });
          const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
          const serviceCpu = cpuSecondsOf(child.pid as number) - serviceBefore;
          const generatorCpu = ownCpuSeconds() - generatorBefore;
          if (auth === 'none') baseline = result.requests.average;
          // A service below 100% of a core while the generator is near it was waiting for load:
          // CPU per request is then the figure that does not depend on the generator.
          const cpu = (share: number): string => `${Math.round(share * 100)}%`;
          console.log(
            `  ${name.padEnd(34)} ${Math.round(result.requests.average).toString().padStart(8)} ${result.latency.p50.toFixed(1).padStart(7)} ${result.latency.p99.toFixed(1).padStart(7)}  ${String(result.non2xx + result.errors).padStart(7)}  ${(result.requests.average / baseline).toFixed(2).padStart(7)}  ${cpu(serviceCpu / elapsed).padStart(11)}  ${((serviceCpu / result.requests.total) * 1e6).toFixed(0).padStart(9)}  ${cpu(generatorCpu / elapsed).padStart(13)}`,
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
