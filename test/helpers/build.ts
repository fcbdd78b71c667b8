// The package's build (dist/), for tests that run what users run: rebuilt when src/ is newer,
// one build at a time even when several test files ask at once.
import { execFile } from 'node:child_process';
import { mkdir, readdir, rmdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const root = resolve(import.meta.dirname, '../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const LOCK = join(root, 'node_modules/.tokenwarden-build-lock');
const LOCK_WAIT_MS = 180_000;

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

/** Makes sure dist/ holds a build of the current src/ (CI builds first; a developer's tree may not). */
export async function ensureBuilt(): Promise<void> {
  if (await isCurrent()) return;
  const deadline = Date.now() + LOCK_WAIT_MS;
  // mkdir is atomic: whoever creates the lock builds, the others wait for it to go.
  while (!(await mkdir(LOCK).then(() => true, () => false))) {
    if (Date.now() > deadline) throw new Error(`waited ${LOCK_WAIT_MS} ms for another build (remove ${LOCK} if none runs)`);
    await new Promise((done) => setTimeout(done, 250));
  }
  try {
    if (!(await isCurrent())) await run(npm, ['run', 'build'], { cwd: root, maxBuffer: 1 << 24 });
  } finally {
    await rmdir(LOCK);
  }
}
