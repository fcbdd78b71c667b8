// workerd, Cloudflare's Workers runtime, from the workerd npm package: the harness bundled from
// the packed package with the conditions wrangler bundles with (workerd, worker, browser), which
// land on the web build, and served by `workerd serve`.
import { join } from 'node:path';
import { bundleHarness } from './bundle.js';
import { startWorkerd, workerdBinary } from './launch.js';
import { runtimeSuite } from './suite.js';

const { version, compatibilityDate } = workerdBinary();

await runtimeSuite([
  {
    title: `workerd ${version} (compatibility date ${compatibilityDate}): the web build, bundled as wrangler bundles`,
    id: 'workerd',
    build: 'web',
    async start(project, dir) {
      const outfile = join(dir, 'worker.js');
      const bundled = await bundleHarness({
        entry: join(import.meta.dirname, 'worker.ts'),
        outfile,
        project,
        packages: { bundle: true, platform: 'browser', conditions: ['workerd', 'worker', 'browser'] },
      });
      return { runtime: await startWorkerd(outfile, dir), bundled };
    },
  },
]);
