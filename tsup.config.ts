import { resolve } from 'node:path';
import { defineConfig, type Options } from 'tsup';

// Entry points per build. Node gets everything; web-standard runtimes (edge, workers) get the
// modules that can run there, built with src/runtime/web.ts in place of src/runtime/node.ts.
const nodeEntries = {
  index: 'src/index.ts',
  'testing/index': 'src/testing/index.ts',
  express: 'src/adapters/express.ts',
  fastify: 'src/adapters/fastify.ts',
  koa: 'src/adapters/koa.ts',
  node: 'src/adapters/node.ts',
  hono: 'src/adapters/hono.ts',
  next: 'src/adapters/next.ts',
  nest: 'src/adapters/nest.ts',
  redis: 'src/revocation/redis/index.ts',
  opentelemetry: 'src/opentelemetry/index.ts',
  providers: 'src/providers/index.ts',
  client: 'src/client/index.ts',
};
// The `tokenwarden` command (package.json `bin`): built with the Node entries so that it shares
// their chunks, but not an export.
const binEntries = {
  cli: 'src/cli/main.ts',
};
const webEntries = {
  index: 'src/index.ts',
  hono: 'src/adapters/hono.ts',
  next: 'src/adapters/next.ts',
  // Presets are plain data: they belong wherever the verifier runs.
  providers: 'src/providers/index.ts',
};

type TsupPlugin = NonNullable<Options['plugins']>[number];

// The CommonJS build loads a package it imports lazily with require(), not import(): tsup's
// tree-shaking pass (rollup) keeps a dynamic import() as it is in CommonJS output, and import()
// from CommonJS fails where no ES module loader is wired up (Jest without
// --experimental-vm-modules), where require() works everywhere and bundlers still follow it.
const lazyRequireInCjs: TsupPlugin = {
  name: 'tokenwarden-lazy-require-in-cjs',
  renderChunk(code) {
    if (this.format !== 'cjs') return undefined;
    return { code: code.replace(/\bimport\((["'])([^"'./][^"']*)\1\)/g, 'Promise.resolve().then(() => require("$2"))') };
  },
};

const shared: Options = {
  format: ['esm', 'cjs'],
  target: 'es2022',
  sourcemap: true,
  // Shared code lands in chunks, so every subpath of one build shares one AccessTokenError.
  splitting: true,
  treeshake: true,
  // Keep `node:` specifiers as written: they can never be shadowed by an npm package.
  removeNodeProtocol: false,
  plugins: [lazyRequireInCjs],
};

export default defineConfig([
  {
    ...shared,
    entry: { ...nodeEntries, ...binEntries },
    outDir: 'dist/node',
    platform: 'node',
    target: 'node20',
    dts: true,
    clean: true,
  },
  {
    ...shared,
    entry: webEntries,
    outDir: 'dist/web',
    platform: 'neutral',
    dts: false,
    clean: true,
    esbuildPlugins: [
      {
        name: 'tokenwarden-web-runtime',
        setup(build) {
          build.onResolve({ filter: /\/runtime\/node\.js$/ }, () => ({ path: resolve('src/runtime/web.ts') }));
        },
      },
    ],
  },
]);
