// The built `tokenwarden` bin, run as users run it, against a test issuer on loopback.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { buildIfStale, root } from '../package/tarball.js';
import { refusedPort } from '../helpers/jwks-server.js';

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function bin(args: readonly string[], stdin = ''): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist/node/cli.js'), ...args], { stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

let issuer: TestIssuer;
beforeAll(async () => {
  await buildIfStale();
  issuer = await createTestIssuer({ audience: 'orders-api' });
}, 600_000);
afterAll(async () => {
  await issuer?.close();
});

describe('the tokenwarden bin', () => {
  it('inspects a token read from standard input, without printing its signature', async () => {
    const token = await issuer.sign({ sub: 'alice' });
    const signature = token.slice(token.lastIndexOf('.') + 1);

    const { code, stdout, stderr } = await bin(['inspect', '-'], token);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^UNVERIFIED/);
    expect(stdout).toContain('alice');
    expect(stdout + stderr).not.toContain(signature);
  });

  it("lists the test issuer's key through discovery", async () => {
    const { code, stdout } = await bin(['jwks', issuer.issuer, '--json']);

    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { source: string; keys: { kid: string; algorithms: string[] }[] };
    expect(report.source).toBe('discovery');
    expect(report.keys.map((key) => key.kid)).toEqual(issuer.jwks().keys.map((key) => key.kid));
  });

  it('exits 3 with a diagnostic on stderr when the issuer cannot be reached', async () => {
    const { code, stdout, stderr } = await bin(['jwks', `http://127.0.0.1:${await refusedPort()}`]);

    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/could not be read/);
  });

  it('exits 2 with the usage for an unknown command, and 0 with it for --help', async () => {
    const unknown = await bin(['frobnicate']);
    const help = await bin(['--help']);

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: tokenwarden <command>/);
  });
});
