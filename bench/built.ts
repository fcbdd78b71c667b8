// The end-to-end sections measure what users install: the built package in dist/ (`npm run
// build`, which `npm run bench` runs first), not the TypeScript sources through tsx. tsx's
// transform keeps function names (esbuild's keepNames) by wrapping every function created at
// run time in a `__name` call, which the published build does not have: per request, in the
// adapters' closures, that showed as 1-2% of a Fastify service's CPU.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The path of a file of the Node build, e.g. `cli.js`; throws when the package is not built. */
export function builtPath(file: string): string {
  const path = fileURLToPath(new URL(`../dist/node/${file}`, import.meta.url));
  if (!existsSync(path)) throw new Error(`bench: ${path} is missing; run \`npm run build\` first`);
  return path;
}

/** A module of the Node build, typed as its source (`T`, e.g. `typeof import('../src/adapters/fastify.js')`). */
export async function builtModule<T>(file: string): Promise<T> {
  return (await import(pathToFileURL(builtPath(file)).href)) as T;
}
