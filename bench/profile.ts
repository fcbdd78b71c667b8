// Where a sequential verification's time goes (section `profile`): node's sampling CPU profiler
// (node:inspector) over tokenwarden verifying fresh tokens one at a time, the plain method's
// loop, and the samples' self time grouped by what they were doing. The signature check itself is
// the floor; every other line is what tokenwarden adds to it, and the bench/README explains each.
//
//   BENCH_ONLY=profile npm run bench     (BENCH_ALGS, BENCH_PROFILE_TOKENS to size it;
//   BENCH_PROFILE_OUT=dir also writes each profile there as <alg>.cpuprofile, for DevTools)
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tokenwarden } from './contenders.js';
import { createKeys, createTokens, serveJwks, type BenchAlgorithm } from './fixtures.js';

const TOKENS = Number(process.env.BENCH_PROFILE_TOKENS ?? 20_000);
// Microseconds between samples: fine enough for a verification of 50 to 300 µs.
const INTERVAL = 25;

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

// First match wins: a sample is put under the first group whose test its frame passes. The native
// frames are named by node:crypto's bindings: `verify`/`Verify`/`update` for a streaming Verify,
// `run` of a `SignJob` for the one-shot crypto.verify (EdDSA).
const GROUPS: readonly (readonly [string, (name: string, url: string) => boolean])[] = [
  ['signature check (node:crypto, native)', (name, url) => url === '' && /^(verify|Verify|update|init|digest|run|SignJob)$/.test(name)],
  ['node:crypto JS around it', (_name, url) => url.includes('internal/crypto/') || url.includes('internal/streams/') || url === 'node:events'],
  ['garbage collection', (name) => name === '(garbage collector)'],
  ['promises and await', (name) => /^(runMicrotasks|processTicksAndRejections|PromiseResolve|AsyncFunctionAwait.*)$/.test(name)],
  ['base64url and Buffer', (name, url) => /base64url|Buffer|subarray|write|slice/.test(name) || url.includes('buffer')],
  ['JSON.parse and UTF-8 decode', (name, url) => name === 'parse' || url.includes('encoding') || /decodeUTF8|decode$/.test(name)],
  ['token/ (parse, decode, signature step)', (_name, url) => url.includes('/src/token/')],
  ['claims/ (checks)', (_name, url) => url.includes('/src/claims/')],
  ['verified-token cache (first-sight filter)', (_name, url) => url.includes('/src/verified-token-cache')],
  ['verifier.ts and key source', (_name, url) => url.includes('/src/verifier') || url.includes('/src/jwks/')],
  ['bench loop', (_name, url) => url.includes('/bench/')],
  ['idle and profiler', (name) => name === '(idle)' || name === '(program)' || name === 'dispatch'],
];

function grouped(profile: Profile): Map<string, number> {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const frame = frames.get(id);
    const name = frame?.functionName ?? '';
    const url = frame?.url ?? '';
    const group = GROUPS.find(([, test]) => test(name, url))?.[0] ?? 'other (node internals)';
    totals.set(group, (totals.get(group) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  return totals;
}

async function profileAlgorithm(alg: BenchAlgorithm): Promise<void> {
  const keys = createKeys(alg);
  const jwks = await serveJwks([keys]);
  const session = new Session();
  session.connect();
  try {
    const { verify } = await tokenwarden(keys, jwks.uri);
    // Warm up on tokens of their own, so the JIT has settled before sampling starts.
    for (const token of createTokens(keys, 3000, 1e9)) await verify(token);
    const tokens = createTokens(keys, TOKENS, 2e9);
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: INTERVAL });
    await session.post('Profiler.start');
    const started = process.hrtime.bigint();
    for (const token of tokens) await verify(token);
    const perCall = Number(process.hrtime.bigint() - started) / 1000 / TOKENS;
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    if (process.env.BENCH_PROFILE_OUT) writeFileSync(`${process.env.BENCH_PROFILE_OUT}/${alg}.cpuprofile`, JSON.stringify(profile));
    const totals = grouped(profile);
    const sampled = [...totals.values()].reduce((sum, value) => sum + value, 0);
    const idle = totals.get('idle and profiler') ?? 0;
    console.log(`\n${alg} — where a sequential verification's time goes (CPU profile, ${TOKENS} fresh tokens, ${perCall.toFixed(1)} µs per call while profiled)`);
    console.log(`  ${'share of busy time'.padEnd(44)} ${'%'.padStart(6)} ${'µs/call'.padStart(8)}`);
    for (const [group, time] of [...totals].sort((a, b) => b[1] - a[1])) {
      if (group === 'idle and profiler') continue;
      const share = time / (sampled - idle);
      console.log(`  ${group.padEnd(44)} ${(share * 100).toFixed(1).padStart(6)} ${(share * perCall).toFixed(1).padStart(8)}`);
    }
  } finally {
    session.disconnect();
    await jwks.close();
  }
}

/** Profiles the sequential path for every algorithm of BENCH_ALGS. */
export async function profileSection(): Promise<void> {
  const algorithms = (process.env.BENCH_ALGS ?? 'RS256,ES256,EdDSA').split(',') as BenchAlgorithm[];
  for (const alg of algorithms) await profileAlgorithm(alg);
}
