// undici is loaded by the first key-set fetch, not when tokenwarden is imported: a process that
// imports the package and creates a verifier (a serverless cold start) does not pay for it until
// it needs keys. Checked on the package as built (ESM and CJS, with the project's own tsup
// configuration, into a temporary directory), each in a fresh node process, since a module
// loaded once stays loaded for the life of the process.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build, type Options } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../../tsup.config.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

/** What the child saw: whether undici was loaded at each step, and what verified. */
interface Trace {
  readonly afterCreate: boolean;
  readonly afterFetchOverride: boolean;
  readonly afterFirstFetch: boolean;
  readonly subjects: readonly string[];
  readonly jwksRequests: number;
}

// The child's steps, the same for both module systems; `load(name)` loads a built entry. A
// verifier given its own fetch goes first: it must not load undici either. undici is CommonJS,
// so it shows in the CommonJS module cache whichever way it is loaded; the last step doubles as
// the check that this detector sees it at all.
const steps = `
const undiciLoaded = () => Object.keys(require.cache).some((file) => /[\\\\/]node_modules[\\\\/]undici[\\\\/]/.test(file));
async function main(load) {
  const { createTestIssuer } = await load('testing/index');
  const issuer = await createTestIssuer({ audience: 'lazy-api' });
  try {
    const { createVerifier } = await load('index');
    const options = { issuer: issuer.issuer, audience: 'lazy-api', jwksUri: issuer.jwksUri };
    const byDefault = createVerifier(options);
    const byFetch = createVerifier({ ...options, jwks: { fetch: (input, init) => fetch(input, init) } });
    const afterCreate = undiciLoaded();
    const token = await issuer.sign({ sub: 'first' });
    const subjects = [(await byFetch.verifyAccessToken(token)).sub];
    const afterFetchOverride = undiciLoaded();
    subjects.push((await byDefault.verifyAccessToken(token)).sub);
    const afterFirstFetch = undiciLoaded();
    process.stdout.write(JSON.stringify({ afterCreate, afterFetchOverride, afterFirstFetch, subjects, jwksRequests: issuer.requests.jwks }));
  } finally {
    await issuer.close();
  }
}
`;

const children = {
  esm: {
    file: 'child.mjs',
    code: `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
${steps}
await main((name) => import('./' + name + '.js'));
`,
  },
  cjs: {
    file: 'child.cjs',
    code: `${steps}
main(async (name) => require('./' + name + '.cjs')).catch((error) => { console.error(error); process.exitCode = 1; });
`,
  },
  // The CommonJS build loaded the way Jest loads modules: each file compiled with vm.Script and
  // no dynamic-import callback, so a lazy import() would fail and only require() works.
  jest: {
    file: 'child-vm.cjs',
    code: `${steps}
const vm = require('node:vm');
const path = require('node:path');
const fs = require('node:fs');
const loaded = new Map();
function loadFile(file) {
  if (loaded.has(file)) return loaded.get(file).exports;
  const module = { exports: {} };
  loaded.set(file, module);
  const wrapper = new vm.Script('(function (exports, require, module, __filename, __dirname) {' + fs.readFileSync(file, 'utf8') + '\\n})', { filename: file });
  const local = (specifier) => specifier.startsWith('.') ? loadFile(path.resolve(path.dirname(file), specifier)) : require(specifier);
  wrapper.runInThisContext()(module.exports, local, module, file, path.dirname(file));
  return module.exports;
}
main(async (name) => loadFile(path.join(__dirname, name + '.cjs'))).catch((error) => { console.error(error); process.exitCode = 1; });
`,
  },
} as const;

const configs = (Array.isArray(config) ? config : [config]) as Options[];
const node = configs.find((options) => options.outDir === 'dist/node');

let outDir: string;

beforeAll(async () => {
  expect(node?.entry).toBeDefined();
  const entries = node?.entry as Record<string, string>;
  outDir = await mkdtemp(join(tmpdir(), 'tokenwarden-lazy-'));
  await build({
    ...(node as Options),
    entry: { index: entries.index as string, 'testing/index': entries['testing/index'] as string },
    outDir,
    config: false,
    dts: false,
    sourcemap: false,
    silent: true,
    clean: false,
  });
  // The build's imports (undici, lru-cache, jose) resolve from the project's dependencies.
  await symlink(join(root, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  await writeFile(join(outDir, 'package.json'), JSON.stringify({ type: 'module' }));
  for (const child of Object.values(children)) await writeFile(join(outDir, child.file), child.code);
}, 120_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe.each(['esm', 'cjs', 'jest'] as const)('the default transport, %s build', (format) => {
  let trace: Trace;

  beforeAll(async () => {
    const { stdout } = await run(process.execPath, [join(outDir, children[format].file)], { cwd: outDir, timeout: 30_000 });
    trace = JSON.parse(stdout) as Trace;
  }, 60_000);

  it('is not loaded by importing tokenwarden and creating verifiers', () => {
    expect(trace.afterCreate).toBe(false);
  });

  it('is not loaded by a verification through a jwks.fetch override', () => {
    expect(trace.afterFetchOverride).toBe(false);
  });

  it('is loaded by the first verification that fetches keys from the issuer, and that verification succeeds', () => {
    expect(trace.afterFirstFetch).toBe(true);
    expect(trace.subjects).toEqual(['first', 'first']);
    expect(trace.jwksRequests).toBe(2);
  });
});
