// The package as users get it: `npm pack`, then fresh projects that each hold the tarball and
// nothing else a user would not install. Every subpath is loaded through `import` and `require`
// in a project with only tokenwarden and that subpath's framework (none for the framework-free
// ones), a TypeScript consumer is compiled under the two module resolutions users run (node16
// and bundler), and the package is consumed by Jest (CommonJS), esbuild and webpack.
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIssuer } from '../../src/testing/index.js';
import { buildIfStale, freshProject, manifest, maxBuffer, npm, packInto, pinned, root, run } from './tarball.js';

// The framework a user of each subpath has installed besides tokenwarden (null: none); several
// packages are separated by spaces.
const NEST = '@nestjs/common @nestjs/core reflect-metadata rxjs';
const FRAMEWORK_OF: Readonly<Record<string, string | null>> = {
  '.': null,
  './testing': null,
  './node': null,
  './redis': null,
  './providers': null,
  './express': 'express',
  './fastify': 'fastify',
  './koa': 'koa',
  './hono': 'hono',
  './next': 'next',
  './nest': NEST,
  './opentelemetry': '@opentelemetry/api',
  './client': null,
};
const exported = Object.keys(manifest.exports).filter((key) => key !== './package.json');
/** [specifier, project]: each subpath with the project it loads in. */
const subpaths = exported.map((key) => [key === '.' ? 'tokenwarden' : `tokenwarden/${key.slice(2)}`, FRAMEWORK_OF[key] ?? 'no framework'] as const);

let scratch: string;
/** Fresh projects by what they hold besides tokenwarden: a framework, 'no framework', 'typescript' or a tool. */
const projects = new Map<string, string>();
/** The consumers with the tool each installs, and their module system. */
const TOOLS: readonly (readonly [string, 'module' | 'commonjs'])[] = [
  ['jest', 'commonjs'],
  ['esbuild', 'module'],
  ['webpack', 'module'],
];
const consumers = join(import.meta.dirname, 'consumers');

beforeAll(async () => {
  await buildIfStale();
  scratch = await mkdtemp(join(tmpdir(), 'tokenwarden-pack-'));
  const tarball = await packInto(scratch);
  // One project per framework and per tool, each installed once; the installs run side by side.
  const wanted = new Map<string, readonly [string[], 'module' | 'commonjs']>([['typescript', [[pinned('typescript'), pinned('@types/node')], 'module']]]);
  for (const [, project] of subpaths) wanted.set(project, [project === 'no framework' ? [] : project.split(' ').map(pinned), 'module']);
  for (const [tool, type] of TOOLS) wanted.set(tool, [[pinned(tool)], type]);
  await Promise.all(
    [...wanted].map(async ([name, [packages, type]]) =>
      projects.set(name, await freshProject(join(scratch, name.replace(/\W+/g, '-')), tarball, packages, type)),
    ),
  );
}, 300_000);

afterAll(async () => {
  // Several projects' node_modules: slow to delete on a loaded machine.
  if (scratch) await rm(scratch, { recursive: true, force: true });
}, 300_000);

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

  it('installs the tokenwarden command, which runs with only tokenwarden installed', async () => {
    const { stdout } = await run(join(projectFor('no framework'), 'node_modules/.bin/tokenwarden'), ['--help'], { cwd: projectFor('no framework') });
    expect(stdout).toMatch(/^Usage: tokenwarden <command>/);
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

describe('the packed package under Jest and bundlers', () => {
  /** The bundled files of tokenwarden, from an esbuild metafile or webpack's module list. */
  const packageFiles = (files: readonly string[]): string[] =>
    files.map((file) => /node_modules\/tokenwarden\/(dist\/[^/]+)\//.exec(file)?.[1]).filter((dir): dir is string => dir !== undefined);

  it('passes a CommonJS Jest suite that requires tokenwarden and tokenwarden/testing and verifies tokens with fetched keys', async () => {
    const project = projectFor('jest');
    await copyFile(join(consumers, 'jest.test.cjs'), join(project, 'verify.test.js'));
    const result = join(project, 'jest-result.json');
    await run(process.execPath, ['node_modules/jest/bin/jest.js', '--ci', '--json', `--outputFile=${result}`], { cwd: project, maxBuffer });
    const report = JSON.parse(await readFile(result, 'utf8')) as { success: boolean; numPassedTests: number; numFailedTests: number };
    expect(report).toMatchObject({ success: true, numPassedTests: 3, numFailedTests: 0 });
  });

  it.each([
    ['CommonJS', 'cjs', ''],
    // esbuild turns the require() calls of a CommonJS dependency (undici) into a shim that throws
    // in ES module output unless `require` exists; this banner is the usual way to provide it.
    ['an ES module with a require banner', 'esm', "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"],
  ])('runs a Node service bundled by esbuild (platform node) as %s, with the Node build', async (_name, format, banner) => {
    const project = projectFor('esbuild');
    await copyFile(join(consumers, 'node-entry.mjs'), join(project, 'node-entry.mjs'));
    const outfile = `out/service.${format === 'cjs' ? 'cjs' : 'mjs'}`;
    const inputs = await node('esbuild', [
      '--input-type=module',
      '-e',
      `import { build } from 'esbuild';
       const result = await build({ entryPoints: ['node-entry.mjs'], bundle: true, platform: 'node', format: '${format}', outfile: '${outfile}', banner: { js: ${JSON.stringify(banner)} }, metafile: true, logLevel: 'error' });
       console.log(JSON.stringify(Object.keys(result.metafile.inputs)));`,
    ]);
    expect(new Set(packageFiles(JSON.parse(inputs) as string[]))).toEqual(new Set(['dist/node']));
    expect(JSON.parse(await node('esbuild', [outfile]))).toEqual({ sub: 'bundled-user', keyFetches: 1 });
  });

  it.each([
    ['platform browser', "platform: 'browser'"],
    ['platform neutral, condition worker', "platform: 'neutral', conditions: ['worker'], mainFields: ['module', 'main']"],
  ])('runs a handler bundled by esbuild (%s) with the web build, verifying with the global fetch', async (name, settings) => {
    const project = projectFor('esbuild');
    await copyFile(join(consumers, 'web-entry.mjs'), join(project, 'web-entry.mjs'));
    const outfile = `out/handler-${name.replace(/\W+/g, '-')}.mjs`;
    const inputs = await node('esbuild', [
      '--input-type=module',
      '-e',
      `import { build } from 'esbuild';
       const result = await build({ entryPoints: ['web-entry.mjs'], bundle: true, format: 'esm', ${settings}, outfile: '${outfile}', metafile: true, logLevel: 'error' });
       console.log(JSON.stringify(Object.keys(result.metafile.inputs)));`,
    ]);
    expect(new Set(packageFiles(JSON.parse(inputs) as string[]))).toEqual(new Set(['dist/web']));
    const issuer = await createTestIssuer({ audience: 'bundle-api' });
    try {
      const token = await issuer.sign({ sub: 'edge-user' });
      const printed = await node('esbuild', [outfile, JSON.stringify({ issuer: issuer.issuer, jwksUri: issuer.jwksUri, token })]);
      expect(JSON.parse(printed)).toEqual({ sub: 'edge-user' });
      expect(issuer.requests.jwks).toBe(1);
    } finally {
      await issuer.close();
    }
  });

  it('runs a Node service bundled by webpack (target node), with the Node build', async () => {
    const project = projectFor('webpack');
    await copyFile(join(consumers, 'node-entry.mjs'), join(project, 'node-entry.mjs'));
    await copyFile(join(consumers, 'webpack.config.cjs'), join(project, 'webpack.config.cjs'));
    const modules = await node('webpack', [
      '-e',
      `require('webpack')(require('./webpack.config.cjs'), (error, stats) => {
         if (error || stats.hasErrors()) { console.error(error ?? stats.toString('errors-only')); process.exit(1); }
         console.log(JSON.stringify(stats.toJson({ modules: true }).modules.map((module) => module.name)));
       });`,
    ]);
    expect(new Set(packageFiles(JSON.parse(modules) as string[]))).toEqual(new Set(['dist/node']));
    expect(JSON.parse(await node('webpack', ['out/webpack.cjs']))).toEqual({ sub: 'bundled-user', keyFetches: 1 });
  });
});
