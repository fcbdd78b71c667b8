// Where the sidecar's own time goes: `tokenwarden serve` in its own process under
// `node --cpu-prof`, checks sent straight to it by autocannon (64 connections, 1 000 distinct
// RS256 tokens in rotation, as bench/gateway.ts's "sidecar alone" path), then the profile's
// self time summed by where each function lives. Shares of one profile hold on a busy machine
// where absolute rates do not. Run with `npx tsx bench/gateway-profile.ts` (BENCH_GATEWAY
// seconds, default 8); the .cpuprofile is kept for a viewer (Chrome DevTools, speedscope).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { AUDIENCE, ISSUER, createKeys, createTokens, serveJwks } from './fixtures.js';

const SECONDS = Number(process.env.BENCH_GATEWAY ?? 8);
const TOKENS = 1000;

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where a function lives, coarsely: ours by file, Node's by module, the rest by kind. */
function placeOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (url.includes('/src/')) return `tokenwarden ${url.slice(url.indexOf('/src/') + 1).replace(/\.ts$/, '')}`;
  if (url.startsWith('node:')) return url;
  if (url === '') return `(${functionName || 'native'})`;
  if (url.includes('node_modules')) return 'dependencies';
  return url;
}

export async function profileSidecar(): Promise<void> {
  const keys = createKeys('RS256');
  const jwks = await serveJwks([keys]);
  const tokens = createTokens(keys, TOKENS);
  const dir = mkdtempSync(join(tmpdir(), 'tokenwarden-profile-'));
  const sidecar = spawn(
    process.execPath,
    ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', 'tsx', new URL('../src/cli/main.ts', import.meta.url).pathname, 'serve'],
    {
      env: { ...process.env, TOKENWARDEN_LISTEN: '127.0.0.1:0', TOKENWARDEN_ISSUER: ISSUER, TOKENWARDEN_AUDIENCE: AUDIENCE, TOKENWARDEN_JWKS_URI: jwks.uri },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: sidecar.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      const match = /listening on .*:(\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    sidecar.once('exit', (code) => reject(new Error(`the sidecar exited with ${code}`)));
  });
  let checks = 0;
  let next = 0;
  const bearer = (): Record<string, string> => ({ authorization: `Bearer ${tokens[next++ % TOKENS] as string}`, 'x-original-uri': '/orders', 'x-original-method': 'GET' });
  try {
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/check`,
      connections: 64,
      duration: SECONDS,
      requests: [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, ...bearer() } }) }],
    });
    checks = result.requests.total;
    console.log(`sidecar alone: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}`);
  } finally {
    const exited = once(sidecar, 'exit');
    sidecar.kill('SIGTERM');
    await exited;
    await jwks.close();
  }
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error('no profile written');
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id) as ProfileNode;
    const delta = profile.timeDeltas[i] ?? 0;
    total += delta;
    const place = placeOf(node.callFrame);
    self.set(place, (self.get(place) ?? 0) + delta);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${place}:${node.callFrame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + delta);
  });
  const top = (map: Map<string, number>, count: number): void => {
    for (const [name, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) {
      console.log(`  ${((time / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
    }
  };
  // Per check, in CPU time: what the machine's load moves least. Idle time and start-up
  // (module loading and compiling, before the first check) are left out.
  const startUp = [...self].filter(([place]) => place === '((idle))' || /^node:internal\/(modules|bootstrap)|^\(compile/.test(place)).reduce((sum, [, time]) => sum + time, 0);
  const gateway = [...self].filter(([place]) => place.startsWith('tokenwarden src/gateway/')).reduce((sum, [, time]) => sum + time, 0);
  const ours = [...self].filter(([place]) => place.startsWith('tokenwarden ')).reduce((sum, [, time]) => sum + time, 0);
  const busy = total - startUp;
  const perCheck = (time: number): string => `${(time / checks).toFixed(1)} µs`;
  console.log(`\nCPU per check: ${perCheck(busy)} in all; tokenwarden's code ${perCheck(ours)} (${((ours / busy) * 100).toFixed(1)}%), of which src/gateway ${perCheck(gateway)} (${((gateway / busy) * 100).toFixed(1)}%)`);
  console.log(`\nself time by place (${join(dir, file)}):`);
  top(self, 25);
  console.log('\nself time by function:');
  top(functions, 30);
}

profileSidecar().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
