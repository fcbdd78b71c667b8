// Bun, from the bun npm package, twice: running the installed package as Bun resolves it (its
// conditions include `node`, so Bun users get the Node build, node:crypto and undici on Bun), and
// running the web build bundled by esbuild with the `bun` condition.
import { join } from 'node:path';
import { bundleHarness } from './bundle.js';
import { bunBinary, startBun } from './launch.js';
import { runtimeSuite } from './suite.js';

const { version } = bunBinary();
const entry = join(import.meta.dirname, 'serve-bun.ts');

await runtimeSuite([
  {
    title: `bun ${version}: the package as Bun resolves it`,
    id: 'bun',
    build: 'node',
    async start(project, dir) {
      const outfile = join(dir, 'serve.js');
      await bundleHarness({ entry, outfile, project, packages: { bundle: false } });
      return { runtime: await startBun(outfile, project), bundled: [] };
    },
  },
  {
    title: `bun ${version}: the web build, bundled by esbuild (platform neutral, condition bun)`,
    id: 'bun-web',
    build: 'web',
    async start(project, dir) {
      const outfile = join(dir, 'serve.js');
      const bundled = await bundleHarness({ entry, outfile, project, packages: { bundle: true, platform: 'neutral', conditions: ['bun'] } });
      return { runtime: await startBun(outfile, project), bundled };
    },
  },
]);
