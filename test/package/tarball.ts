// The package as users get it, for the package and runtime tests: the build (rebuilt when src/
// is newer), `npm pack`, and fresh consumer projects that install the tarball and nothing else
// a user would not install.
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);
export const root = resolve(import.meta.dirname, '../..');
export const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
export const maxBuffer = 1 << 24;

interface Manifest {
  exports: Record<string, unknown>;
  devDependencies: Record<string, string>;
}
export const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as Manifest;

/** `name@range` with the range the repository tests against, so installs hit npm's cache. */
export const pinned = (name: string): string => `${name}@${manifest.devDependencies[name] ?? 'latest'}`;

/** Newest modification time of any file under `dir`, in ms (0 when it does not exist). */
async function newest(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  let latest = 0;
  for (const entry of entries) {
    if (entry.isFile()) latest = Math.max(latest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return latest;
}

async function isCurrent(): Promise<boolean> {
  const built = await stat(join(root, 'dist/node/index.js')).then((s) => s.mtimeMs, () => 0);
  return built !== 0 && built >= (await newest(join(root, 'src')));
}

const LOCK = join(root, 'node_modules/.tokenwarden-build-lock');
// A build takes seconds; on a loaded machine several minutes.
const LOCK_WAIT_MS = 540_000;

/**
 * Builds dist/ unless it is newer than src/ (CI builds before testing; a developer's tree may
 * hold an older build). One build at a time: test files that ask at once (the package, runtime
 * and CLI tests) would otherwise clean dist/ under each other.
 */
export async function buildIfStale(): Promise<void> {
  if (await isCurrent()) return;
  const deadline = Date.now() + LOCK_WAIT_MS;
  // mkdir is atomic: whoever creates the lock builds, the others wait for it to go.
  while (!(await takeLock())) {
    if (Date.now() > deadline) throw new Error(`waited ${LOCK_WAIT_MS} ms for another build (remove ${LOCK} if none runs)`);
    await new Promise((done) => setTimeout(done, 250));
  }
  try {
    if (!(await isCurrent())) await run(npm, ['run', 'build'], { cwd: root, maxBuffer });
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

/** Takes the build lock, first clearing one whose process is gone (a test run killed mid-build). */
async function takeLock(): Promise<boolean> {
  if (await mkdir(LOCK).then(() => true, () => false)) {
    await writeFile(join(LOCK, 'pid'), String(process.pid));
    return true;
  }
  const owner = Number(await readFile(join(LOCK, 'pid'), 'utf8').catch(() => ''));
  if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) await rm(LOCK, { recursive: true, force: true });
  return false;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `npm pack` into `dir`; returns the tarball's path. */
export async function packInto(dir: string): Promise<string> {
  const { stdout } = await run(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: root, maxBuffer });
  const [{ filename }] = JSON.parse(stdout.slice(stdout.indexOf('['))) as [{ filename: string }];
  return join(dir, filename);
}

/**
 * A new project `dir` with the tarball and `packages` installed, as a user would (npm's cache
 * is warm). `type` is the project's module system.
 */
export async function freshProject(dir: string, tarball: string, packages: readonly string[], type: 'module' | 'commonjs' = 'module'): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type }));
  await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, ...packages], { cwd: dir, maxBuffer });
  return dir;
}
