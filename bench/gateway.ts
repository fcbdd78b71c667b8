// The gateway through a real nginx on loopback under autocannon (64 connections): nginx →
// upstream alone, nginx + the `tokenwarden serve` sidecar (auth_request) with distinct tokens
// in rotation, and the sidecar alone (its own ceiling). nginx, the sidecar and the upstream
// each run in their own process; the load generator's CPU is reported so a reader can see it
// was not the bottleneck. Run alone with `npx tsx bench/gateway.ts`.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { NGINX_TEMPLATE, nginxInstalled, startNginx } from '../test/helpers/nginx.js';
import { AUDIENCE, ISSUER, createKeys, createTokens, serveJwks } from './fixtures.js';
import { builtPath } from './built.js';
import { median } from './measure.js';
import { openLoop, quantile } from './open-loop.js';

const SECONDS = Number(process.env.BENCH_GATEWAY ?? process.env.BENCH_HTTP ?? 10);
const TOKENS = 1000;
const CONNECTIONS = 64;

// A plain upstream in its own process: the same for every run.
const UPSTREAM = `
const http = require('node:http');
const server = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': 13 }); res.end('{"orders":[]}'); });
server.keepAliveTimeout = 75000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

async function child(command: string, args: readonly string[], env: NodeJS.ProcessEnv, portFrom: 'stdout' | 'stderr'): Promise<{ port: number; process: ChildProcess }> {
  const started = spawn(command, [...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = createInterface({ input: (portFrom === 'stdout' ? started.stdout : started.stderr) as NodeJS.ReadableStream });
  // The other stream is drained, so a full pipe never stalls the child.
  (portFrom === 'stdout' ? started.stderr : started.stdout)?.resume();
  const port = await new Promise<number>((resolve, reject) => {
    lines.on('line', (line) => {
      const match = /(?:^|:)(\d+)$/.exec(line.trim());
      if (match) resolve(Number(match[1]));
    });
    started.once('exit', (code) => reject(new Error(`${command} exited with ${code} before listening`)));
  });
  return { port, process: started };
}

async function stop(running: ChildProcess): Promise<void> {
  if (running.exitCode !== null || running.signalCode !== null) return;
  const exited = once(running, 'exit');
  running.kill('SIGTERM');
  await exited;
}

interface Run {
  readonly name: string;
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  readonly failures: number;
  /** The load generator's CPU time over wall time: 1.0 is one core kept busy. */
  readonly loadCpu: number;
}

// The latency the sidecar adds is read at one offered load both paths sustain with room to
// spare: at saturation (the throughput runs) a request's latency is mostly its wait in the queue
// (64 connections over the rate), which says how busy the machine is, not what a check costs.
// Read by an open-loop generator with microsecond timing (./open-loop.ts), the two paths taking
// turns round by round so that both see the same spells of the machine.
const FIXED_RATE = 1000;
const FIXED_CONNECTIONS = 16;
const FIXED_ROUNDS = 3;
const FIXED_SECONDS = Math.max(3, Math.round(SECONDS / 2));

interface FixedRound {
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  /** p99 less the generator's own lateness in sending. */
  readonly serviceP99: number;
  readonly failures: number;
  readonly loadCpu: number;
}

async function fixedRate(origin: string, headers: (i: number) => Record<string, string>, path = '/orders'): Promise<FixedRound> {
  const result = await openLoop({ origin, path, rate: FIXED_RATE, connections: FIXED_CONNECTIONS, seconds: FIXED_SECONDS, headers });
  return {
    p50: quantile(result.latencies, 0.5),
    p99: quantile(result.latencies, 0.99),
    p999: quantile(result.latencies, 0.999),
    serviceP99: quantile(result.serviceTimes, 0.99),
    failures: result.failures,
    loadCpu: result.loadCpu,
  };
}

const ms = (value: number): string => value.toFixed(2).padStart(7);

async function measure(
  name: string,
  url: string,
  headers: (i: number) => Record<string, string>,
): Promise<Run> {
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, ...headers(next++) } }) }],
  });
  const cpu = process.cpuUsage(cpuBefore);
  const wall = (performance.now() - started) * 1000;
  return {
    name,
    rate: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors,
    loadCpu: (cpu.user + cpu.system) / wall,
  };
}

export async function gatewaySection(): Promise<void> {
  if (SECONDS <= 0) return;
  if (!nginxInstalled()) {
    console.log('\ngateway — skipped: nginx is not installed (apt-get install nginx)');
    return;
  }
  const keys = createKeys('RS256');
  const jwks = await serveJwks([keys]);
  const tokens = createTokens(keys, TOKENS);
  const upstream = await child(process.execPath, ['-e', UPSTREAM], {}, 'stdout');
  const sidecar = await child(
    process.execPath,
    [builtPath('cli.js'), 'serve'],
    { TOKENWARDEN_LISTEN: '127.0.0.1:0', TOKENWARDEN_ISSUER: ISSUER, TOKENWARDEN_AUDIENCE: AUDIENCE, TOKENWARDEN_JWKS_URI: jwks.uri },
    'stderr',
  );
  const upstreamAddress = `127.0.0.1:${upstream.port}`;
  const sidecarAddress = `127.0.0.1:${sidecar.port}`;
  // nginx alone: the same config without the auth_request line.
  const alone = readFileSync(NGINX_TEMPLATE, 'utf8').replace(/^\s*auth_request \/_tokenwarden;\n/m, '');
  const plain = await startNginx({ sidecar: sidecarAddress, upstream: upstreamAddress, template: alone });
  const guarded = await startNginx({ sidecar: sidecarAddress, upstream: upstreamAddress });
  const bearer = (i: number): Record<string, string> => ({ authorization: `Bearer ${tokens[i % TOKENS] as string}` });
  try {
    // Warm-up: key set fetched, connections opened, JIT warm.
    await autocannon({ url: `${guarded.url}/orders`, connections: CONNECTIONS, duration: 2, requests: [{ setupRequest: (r) => ({ ...r, headers: bearer(0) }) }] });
    const runs = [
      await measure('nginx → upstream', `${plain.url}/orders`, bearer),
      await measure('nginx + tokenwarden serve', `${guarded.url}/orders`, bearer),
      await measure('tokenwarden serve alone', `http://${sidecarAddress}/check`, (i) => ({ ...bearer(i), 'x-original-uri': '/orders', 'x-original-method': 'GET' })),
    ];
    console.log(`\ngateway — GET /orders through nginx on loopback, ${CONNECTIONS} connections, ${SECONDS} s each, RS256, ${TOKENS} distinct tokens in rotation`);
    console.log(`  ${'path'.padEnd(28)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)}  non-2xx  load generator CPU`);
    for (const run of runs) {
      console.log(
        `  ${run.name.padEnd(28)} ${Math.round(run.rate).toString().padStart(8)} ${run.p50.toFixed(1).padStart(7)} ${run.p99.toFixed(1).padStart(7)}  ${String(run.failures).padStart(7)}  ${(run.loadCpu * 100).toFixed(0)}% of a core`,
      );
    }
    const [base, full] = runs as [Run, Run, Run];
    const ratio = full.rate / base.rate;
    const plainRounds: FixedRound[] = [];
    const guardedRounds: FixedRound[] = [];
    // The sidecar's own tail at this load, its checks sent straight to it: what a check costs
    // apart from the extra hop and the scheduling of a third process on the machine.
    const aloneRounds: FixedRound[] = [];
    const check = (i: number): Record<string, string> => ({ ...bearer(i), 'x-original-uri': '/orders', 'x-original-method': 'GET' });
    for (let round = 0; round < FIXED_ROUNDS; round++) {
      plainRounds.push(await fixedRate(plain.url, bearer));
      guardedRounds.push(await fixedRate(guarded.url, bearer));
      aloneRounds.push(await fixedRate(`http://${sidecarAddress}`, check, '/check'));
    }
    console.log(
      `\n  the same paths at a fixed ${FIXED_RATE} req/s (open loop, ${FIXED_CONNECTIONS} connections, ${FIXED_ROUNDS} rounds of ${FIXED_SECONDS} s taking turns; ms, from when each request was due)`,
    );
    console.log(`  ${'path, round'.padEnd(28)} ${'p50'.padStart(7)} ${'p99'.padStart(7)} ${'p99.9'.padStart(7)}  non-2xx  load generator CPU`);
    for (const [name, rounds] of [
      ['nginx → upstream', plainRounds],
      ['nginx + tokenwarden serve', guardedRounds],
      ['tokenwarden serve alone', aloneRounds],
    ] as const) {
      rounds.forEach((run, round) => {
        console.log(`  ${`${name}, ${round + 1}`.padEnd(28)} ${ms(run.p50)} ${ms(run.p99)} ${ms(run.p999)}  ${String(run.failures).padStart(7)}  ${(run.loadCpu * 100).toFixed(0)}% of a core`);
      });
    }
    const added = median(guardedRounds.map((run, round) => run.p99 - (plainRounds[round] as FixedRound).p99));
    const addedService = median(guardedRounds.map((run, round) => run.serviceP99 - (plainRounds[round] as FixedRound).serviceP99));
    const addedP50 = median(guardedRounds.map((run, round) => run.p50 - (plainRounds[round] as FixedRound).p50));
    const queued = full.p99 - base.p99;
    console.log(
      `  nginx + sidecar: ${ratio.toFixed(2)}× nginx alone (≥ 0.5: ${ratio >= 0.5 ? 'met' : 'NOT MET'}); at ${FIXED_RATE} req/s the sidecar adds ${added.toFixed(2)} ms at p99 (median of the rounds; ≤ 1 ms: ${added <= 1 ? 'met' : 'NOT MET'}), ${addedService.toFixed(2)} ms less the generator's lateness, ${addedP50.toFixed(2)} ms at p50; ${queued.toFixed(1)} ms at saturation`,
    );
  } finally {
    await guarded.stop();
    await plain.stop();
    await stop(sidecar.process);
    await stop(upstream.process);
    await jwks.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  gatewaySection().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
