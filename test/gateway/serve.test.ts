// `tokenwarden serve`: in-process for its exit codes, and as the built bin for a real SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { serveCommand } from '../../src/cli/serve.js';
import type { GatewayService } from '../../src/gateway/service.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { memoryIo } from '../cli/support.js';
import { buildIfStale, root } from '../package/tarball.js';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'orders-api' });
});
afterAll(async () => {
  await issuer?.close();
});

function configFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tokenwarden-serve-')), 'tokenwarden.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

const verifier = (): Record<string, string> => ({ issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri });

describe('tokenwarden serve', () => {
  it('exits 2 with the config mistake on stderr, naming its path, without a stack', async () => {
    const io = memoryIo();
    const file = configFile({ verifier: verifier(), routes: [{ path: '/a' }, { path: '/b' }, { path: '/c', scopes: 'orders:read' }] });
    expect(await run(['serve', '--config', file], io)).toBe(2);
    expect(io.stderr()).toBe('tokenwarden serve: config: routes[2].scopes must be an array of scope strings');
  });

  it('exits 2 for a value the verifier refuses, and for a config that names nothing to verify against', async () => {
    const io = memoryIo();
    expect(await serveCommand(['--config', configFile({ verifier: { ...verifier(), clockTolerance: 7200 } })], io, { env: {} })).toBe(2);
    expect(io.stderr()).toMatch(/^tokenwarden serve: config: verifier\.clockTolerance must be between 0 and 3600/);
    const bare = memoryIo();
    expect(await serveCommand([], bare, { env: {} })).toBe(2);
    expect(bare.stderr()).toBe('tokenwarden serve: config: verifier must be set: an object with at least "issuer" and "audience"');
  });

  it('exits 2 naming the environment variable, never a secret, when DPoP nonces have no secret or a short one', async () => {
    const file = configFile({ verifier: { ...verifier(), dpop: { nonce: { lifetime: 60 } } } });
    const missing = memoryIo();
    expect(await serveCommand(['--config', file], missing, { env: {} })).toBe(2);
    expect(missing.stderr()).toMatch(/^tokenwarden serve: config: verifier\.dpop\.nonce must be given its secret in the environment variable TOKENWARDEN_DPOP_NONCE_SECRET/);
    const short = memoryIo();
    expect(await serveCommand(['--config', file], short, { env: { TOKENWARDEN_DPOP_NONCE_SECRET: 'too-short-secret' } })).toBe(2);
    expect(short.stderr()).toMatch(/^tokenwarden serve: config: verifier: option "dpop\.nonce\.secrets" must be at least 32 bytes long/);
    expect(short.stderr()).not.toContain('too-short-secret');
  });

  it('exits 3 when it cannot listen', async () => {
    const first = memoryIo();
    let stop: () => void = () => undefined;
    const stopped = new Promise((resolve) => (stop = () => resolve(undefined)));
    let listening: (service: GatewayService) => void = () => undefined;
    const up = new Promise<GatewayService>((resolve) => (listening = resolve));
    const running = serveCommand(['--config', configFile({ verifier: verifier(), listen: '127.0.0.1:0' })], first, { env: {}, stopSignal: stopped, onListening: listening });
    const service = await up;
    const second = memoryIo();
    expect(await serveCommand([], second, { env: { TOKENWARDEN_ISSUER: issuer.issuer, TOKENWARDEN_AUDIENCE: 'x', TOKENWARDEN_LISTEN: `127.0.0.1:${service.address.port}` } })).toBe(3);
    expect(second.stderr()).toMatch(/cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    stop();
    expect(await running).toBe(0);
  });

  it('runs as the built bin, answers checks, and exits 0 on SIGTERM', async () => {
    await buildIfStale();
    const file = configFile({ verifier: verifier(), listen: '127.0.0.1:0', routes: [{ prefix: '/orders', scopes: ['orders:read'] }] });
    const child = spawn(process.execPath, [join(root, 'dist/node/cli.js'), 'serve', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const stderr = createInterface({ input: child.stderr });
      const port = await new Promise<number>((resolve, reject) => {
        stderr.on('line', (line) => {
          const match = /listening on 127\.0\.0\.1:(\d+)/.exec(line);
          if (match) resolve(Number(match[1]));
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      const stdout: string[] = [];
      createInterface({ input: child.stdout }).on('line', (line) => stdout.push(line));
      const token = await issuer.sign({ scope: 'profile' });
      const answer = await fetch(`http://127.0.0.1:${port}/check`, { headers: { 'x-original-uri': '/orders', 'x-original-method': 'GET', authorization: `Bearer ${token}` } });
      expect(answer.status).toBe(403);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdout.map((line) => (JSON.parse(line) as { code: string }).code)).toEqual(['insufficient_scope']);
      expect(stdout.join('\n').includes(token)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  }, 240_000);
});
