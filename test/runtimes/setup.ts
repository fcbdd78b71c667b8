// Once per run of the runtimes project: the packed package installed, with hono, in a fresh
// consumer project that every runtime test bundles against and runs in.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildIfStale, freshProject, packInto, pinned } from '../package/tarball.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The consumer project: the packed tokenwarden and hono installed. */
    runtimeProject: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await buildIfStale();
  const scratch = await mkdtemp(join(tmpdir(), 'tokenwarden-runtimes-'));
  const tarball = await packInto(scratch);
  project.provide('runtimeProject', await freshProject(join(scratch, 'consumer'), tarball, [pinned('hono')]));
  return () => rm(scratch, { recursive: true, force: true });
}
