// The package as users get it: `npm pack`, installed into a fresh project, every subpath
// loaded through `import` and `require`, and a TypeScript consumer compiled under the two
// module resolutions users run (node16 and bundler).
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface Manifest {
  exports: Record<string, unknown>;
  devDependencies: Record<string, string>;
}
const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as Manifest;
const subpaths = Object.keys(manifest.exports)
  .filter((key) => key !== './package.json')
  .map((key) => (key === '.' ? 'tokenwarden' : `tokenwarden/${key.slice(2)}`));

// Optional peers an adapter loads at run time; a user of that adapter has them installed.
const RUNTIME_PEERS = ['fastify-plugin'];

let project: string;

/** Newest modification time of any file under `dir`, in ms (0 when it does not exist). */
async function newest(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  let latest = 0;
  for (const entry of entries) {
    if (entry.isFile()) latest = Math.max(latest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return latest;
}

beforeAll(async () => {
  // CI builds before testing; a developer's tree may hold an older build (or none).
  const built = await stat(join(root, 'dist/node/index.js')).then((s) => s.mtimeMs, () => 0);
  if (built === 0 || built < (await newest(join(root, 'src')))) {
    await run(npm, ['run', 'build'], { cwd: root, maxBuffer: 1 << 24 });
  }
  project = await mkdtemp(join(tmpdir(), 'tokenwarden-pack-'));
  const { stdout } = await run(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', project], {
    cwd: root,
    maxBuffer: 1 << 24,
  });
  const [{ filename }] = JSON.parse(stdout.slice(stdout.indexOf('['))) as [{ filename: string }];
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const peers = RUNTIME_PEERS.map((name) => `${name}@${manifest.devDependencies[name] ?? 'latest'}`);
  const tooling = [`typescript@${manifest.devDependencies.typescript}`, `@types/node@${manifest.devDependencies['@types/node']}`];
  await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(project, filename), ...peers, ...tooling], {
    cwd: project,
    maxBuffer: 1 << 24,
  });
}, 240_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

async function node(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, args, { cwd: project });
  return stdout.trim();
}

describe('the packed package', () => {
  it('ships only the build, the README and the CHANGELOG', async () => {
    const { stdout } = await run(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, maxBuffer: 1 << 24 });
    const [{ files }] = JSON.parse(stdout.slice(stdout.indexOf('['))) as [{ files: { path: string }[] }];
    const paths = files.map((file) => file.path);
    expect(paths).toContain('README.md');
    expect(paths).toContain('dist/node/index.js');
    expect(paths.filter((path) => !/^(dist\/|README\.md$|CHANGELOG\.md$|package\.json$|LICENSE$)/.test(path))).toEqual([]);
  });

  it.each(subpaths)('loads %s through import', async (subpath) => {
    const keys = await node(['--input-type=module', '-e', `const m = await import(${JSON.stringify(subpath)}); console.log(Object.keys(m).length)`]);
    expect(Number(keys)).toBeGreaterThan(0);
  });

  it.each(subpaths)('loads %s through require', async (subpath) => {
    const keys = await node(['-e', `console.log(Object.keys(require(${JSON.stringify(subpath)})).length)`]);
    expect(Number(keys)).toBeGreaterThan(0);
  });

  it('shares one AccessTokenError between subpaths of the same module system', async () => {
    const esm = await node([
      '--input-type=module',
      '-e',
      `import { AccessTokenError, createVerifier } from 'tokenwarden';
       const v = createVerifier({ issuer: 'https://i.test', audience: 'a', jwksUri: 'https://i.test/jwks' });
       try { await v.verifyAccessToken('x'); } catch (e) { console.log(e instanceof AccessTokenError, e.code); }`,
    ]);
    expect(esm).toBe('true token_malformed');
  });

  it.each([
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
  ])('type-checks a TypeScript consumer under moduleResolution %s', async (_name, compilerOptions) => {
    await writeFile(
      join(project, 'consumer.ts'),
      `import { createVerifier, AccessTokenError, type AccessTokenClaims, type ErrorCode } from 'tokenwarden';
import { createTestIssuer } from 'tokenwarden/testing';
const verifier = createVerifier<{ tenant: string }>({ issuer: 'https://i.test', audience: 'a' });
export async function check(token: string): Promise<string> {
  const claims: AccessTokenClaims & { tenant: string } = await verifier.verifyAccessToken(token);
  return claims.tenant;
}
export const code: ErrorCode = new AccessTokenError('token_expired', 'x').code;
export const issuerFactory: typeof createTestIssuer = createTestIssuer;
`,
    );
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { ...compilerOptions, target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
        files: ['consumer.ts'],
      }),
    );
    await expect(run(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: project })).resolves.toBeDefined();
  });
});
