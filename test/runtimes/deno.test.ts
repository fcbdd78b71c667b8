// Deno, from the deno npm package: the installed package as Deno resolves it (the `deno` export
// condition, the web build), with network access to loopback and no other permission.
import { join } from 'node:path';
import { bundleHarness } from './bundle.js';
import { denoBinary, startDeno } from './launch.js';
import { runtimeSuite } from './suite.js';

const { version } = denoBinary();

await runtimeSuite([
  {
    title: `deno ${version}: the package as Deno resolves it, with --allow-net=127.0.0.1 only`,
    id: 'deno',
    build: 'web',
    async start(project, dir) {
      const outfile = join(dir, 'serve.js');
      await bundleHarness({ entry: join(import.meta.dirname, 'serve-deno.ts'), outfile, project, packages: { bundle: false } });
      return { runtime: await startDeno(outfile, project), bundled: [] };
    },
  },
]);
