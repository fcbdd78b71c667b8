// The package as users get it: `npm pack`, then fresh projects that each hold the tarball and
// nothing else a user would not install. Every subpath is loaded through `import` and `require`
// in a project with only tokenwarden and that subpath's framework (none for the framework-free
// ones), and a TypeScript consumer is compiled under the two module resolutions users run
// (node16 and bundler).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const maxBuffer = 1 << 24;

interface Manifest {
  exports: Record<string, unknown>;
  devDependencies: Record<string, string>;
}
const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as Manifest;

// The framework a user of each subpath has installed besides tokenwarden (null: none); several
// packages are separated by spaces.
const NEST = '@nestjs/common @nestjs/core reflect-metadata rxjs';
const FRAMEWORK_OF: Readonly<Record<string, string | null>> = {
  '.': null,
  './testing': null,
  './node': null,
  './redis': null,
  './express': 'express',
  './fastify': 'fastify',
  './koa': 'koa',
  './hono': 'hono',
  './next': 'next',
  './nest': NEST,
};
const exported = Object.keys(manifest.exports).filter((key) => key !== './package.json');
/** [specifier, project]: each subpath with the project it loads in. */
const subpaths = exported.map((key) => [key === '.' ? 'tokenwarden' : `tokenwarden/${key.slice(2)}`, FRAMEWORK_OF[key] ?? 'no framework'] as const);

let scratch: string;
/** Fresh projects by what they hold besides tokenwarden: a framework, 'no framework' or 'typescript'. */
const projects = new Map<string, string>();

/** Newest modification time of any file under `dir`, in ms (0 when it does not exist). */
async function newest(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  let latest = 0;
  for (const entry of entries) {
    if (entry.isFile()) latest = Math.max(latest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return latest;
}

/** A new project with the tarball and `packages` installed, as a user would (npm's cache is warm). */
async function freshProject(name: string, tarball: string, packages: string[]): Promise<string> {
  const dir = join(scratch, name.replace(/\W+/g, '-'));
  await mkdir(dir);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, ...packages], { cwd: dir, maxBuffer });
  return dir;
}

const pinned = (name: string): string => `${name}@${manifest.devDependencies[name] ?? 'latest'}`;

beforeAll(async () => {
  // CI builds before testing; a developer's tree may hold an older build (or none).
  const built = await stat(join(root, 'dist/node/index.js')).then((s) => s.mtimeMs, () => 0);
  if (built === 0 || built < (await newest(join(root, 'src')))) {
    await run(npm, ['run', 'build'], { cwd: root, maxBuffer });
  }
  scratch = await mkdtemp(join(tmpdir(), 'tokenwarden-pack-'));
  const { stdout } = await run(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], { cwd: root, maxBuffer });
  const [{ filename }] = JSON.parse(stdout.slice(stdout.indexOf('['))) as [{ filename: string }];
  const tarball = join(scratch, filename);
  // One project per framework, each installed once; the installs run side by side.
  const wanted = new Map<string, string[]>([['typescript', [pinned('typescript'), pinned('@types/node')]]]);
  for (const [, project] of subpaths) wanted.set(project, project === 'no framework' ? [] : project.split(' ').map(pinned));
  await Promise.all(
    [...wanted].map(async ([name, packages]) => projects.set(name, await freshProject(name, tarball, packages))),
  );
}, 300_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function projectFor(name: string): string {
  const dir = projects.get(name);
  if (dir === undefined) throw new Error(`no project holds ${name}`);
  return dir;
}

async function node(project: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, args, { cwd: projectFor(project) });
  return stdout.trim();
}

describe('the packed package', () => {
  it('ships only the build, the README and the CHANGELOG', async () => {
    const { stdout } = await run(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, maxBuffer });
    const [{ files }] = JSON.parse(stdout.slice(stdout.indexOf('['))) as [{ files: { path: string }[] }];
    const paths = files.map((file) => file.path);
    expect(paths).toContain('README.md');
    expect(paths).toContain('dist/node/index.js');
    expect(paths.filter((path) => !/^(dist\/|README\.md$|CHANGELOG\.md$|package\.json$|LICENSE$)/.test(path))).toEqual([]);
  });

  it('names the framework (or none) a user of each exported subpath installs', () => {
    expect(exported.toSorted()).toEqual(Object.keys(FRAMEWORK_OF).toSorted());
  });

  it.each(subpaths)('loads %s through import with only tokenwarden and %s installed', async (specifier, project) => {
    const keys = await node(project, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(specifier)}); console.log(Object.keys(m).length)`]);
    expect(Number(keys)).toBeGreaterThan(0);
  });

  it.each(subpaths)('loads %s through require with only tokenwarden and %s installed', async (specifier, project) => {
    const keys = await node(project, ['-e', `console.log(Object.keys(require(${JSON.stringify(specifier)})).length)`]);
    expect(Number(keys)).toBeGreaterThan(0);
  });

  it.each([
    ['import', '--input-type=module', "const { Module } = await import('@nestjs/common'); const { NestFactory } = await import('@nestjs/core'); const { TokenwardenModule, TokenwardenGuard } = await import('tokenwarden/nest');"],
    ['require', '--input-type=commonjs', "const { Module } = require('@nestjs/common'); const { NestFactory } = require('@nestjs/core'); const { TokenwardenModule, TokenwardenGuard } = require('tokenwarden/nest');"],
  ])('starts a Nest application with TokenwardenModule through %s, sharing Nest with the app', async (_how, inputType, load) => {
    // The guard depends on @nestjs/core's HttpAdapterHost: it resolves only if tokenwarden/nest
    // and the app load the same copy of Nest.
    const name = await node(NEST, [
      inputType,
      '-e',
      `(async () => { ${load}
       class AppModule {}
       Module({ imports: [TokenwardenModule.forRoot({ verifier: { issuer: 'https://i.test', audience: 'a' }, global: true })] })(AppModule);
       const app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
       console.log(app.get(TokenwardenGuard).constructor.name);
       await app.close(); })();`,
    ]);
    expect(name).toBe('TokenwardenGuard');
  });

  it('shares one AccessTokenError between subpaths of the same module system', async () => {
    const esm = await node('no framework', [
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
    const project = projectFor('typescript');
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
