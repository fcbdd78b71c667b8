// The pretest step (test/setup/redis-server.mjs), run as npm runs it, with PATHs that hold a
// real redis-server, none, an old one, or a stand-in apt-get that records what it is asked.
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const script = resolve(import.meta.dirname, 'redis-server.mjs');
const asRoot = process.getuid?.() === 0;
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs the script with this PATH (and its own TMPDIR, where the install log goes). */
function pretest(path: string, tmp: string): Promise<Outcome> {
  const started = performance.now();
  return new Promise((done) => {
    execFile(process.execPath, [script], { env: { PATH: path, TMPDIR: tmp }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      done({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tokenwarden-pretest-'));
  dirs.push(dir);
  return dir;
}

async function executable(path: string, body: string): Promise<void> {
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
}

/** A stand-in apt-get that appends its arguments to `calls`, then runs `then`. */
async function fakeAptGet(dir: string, then: string): Promise<string> {
  const calls = join(dir, 'apt-get.calls');
  await executable(join(dir, 'apt-get'), `echo "$DEBIAN_FRONTEND $*" >> '${calls}'\n${then}`);
  return calls;
}

const fakeRedisServer = (version: string): string => `echo 'Redis server v=${version} sha=00000000:0 malloc=libc bits=64'`;

const calledWith = (calls: string): Promise<string[]> =>
  readFile(calls, 'utf8').then(
    (text) => text.trim().split('\n'),
    () => [],
  );

/** The one line asking the user to install redis-server, and the exit code that stops npm test. */
function expectInstallHint(outcome: Outcome, reason: RegExp): void {
  expect(outcome.code).toBe(1);
  const lines = outcome.stderr.trim().split('\n');
  const last = lines.at(-1) ?? '';
  expect(last).toMatch(/^npm test needs redis-server 7 or later on PATH; /);
  expect(last).toMatch(reason);
  expect(last).toMatch(/sudo apt-get install -y redis-server.*brew install redis.*then run npm test again\.$/);
}

describe('the pretest step (test/setup/redis-server.mjs)', () => {
  it('succeeds at once, silently and without installing, when redis-server 7 or later is on PATH', async () => {
    const dir = await scratch();
    // A stand-in apt-get ahead of the real PATH tells whether the script tried to install.
    const calls = await fakeAptGet(dir, 'exit 1');

    const outcome = await pretest(`${dir}:${process.env.PATH ?? ''}`, dir);

    expect(outcome).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await calledWith(calls)).toEqual([]);
    // Starting node and asking redis-server its version; an apt-get run takes far longer.
    expect(outcome.ms).toBeLessThan(10_000);
  });

  it('stops at once with one line on how to install it when there is no redis-server and no apt-get', async () => {
    const empty = await scratch();

    const outcome = await pretest(empty, empty);

    expectInstallHint(outcome, /; none was found: /);
    expect(outcome.stderr.trim().split('\n')).toHaveLength(1);
    expect(outcome.stdout).toBe('');
  });

  it('names the redis-server it found when it is older than 7', async () => {
    const dir = await scratch();
    await executable(join(dir, 'redis-server'), fakeRedisServer('6.2.14'));

    const outcome = await pretest(dir, dir);

    expectInstallHint(outcome, /the one found is too old \(Redis server v=6\.2\.14 /);
    expect(outcome.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('installs redis-server with apt-get, without asking, only when running as root', async () => {
    const dir = await scratch();
    const calls = await fakeAptGet(
      dir,
      `[ "$1" = install ] && printf '%s\\n' '#!/bin/sh' "${fakeRedisServer('7.2.4')}" > '${dir}/redis-server' && /bin/chmod 755 '${dir}/redis-server'\nexit 0`,
    );

    const outcome = await pretest(dir, dir);

    if (asRoot) {
      expect(outcome.code).toBe(0);
      expect(await calledWith(calls)).toEqual([
        'noninteractive update -o DPkg::Lock::Timeout=120',
        'noninteractive install -y -o DPkg::Lock::Timeout=120 redis-server',
      ]);
      expect(outcome.stderr).toMatch(/installing it with apt-get/);
      expect(outcome.stderr.trim().split('\n').at(-1)).toBe('installed Redis server v=7.2.4 sha=00000000:0 malloc=libc bits=64');
    } else {
      expectInstallHint(outcome, /; none was found: /);
      expect(await calledWith(calls)).toEqual([]);
    }
  });

  it('shows the tail of the apt-get log and one line on how to install it when apt-get fails', async () => {
    const dir = await scratch();
    const calls = await fakeAptGet(dir, `i=1; while [ $i -le 30 ]; do echo "apt line $i"; i=$((i + 1)); done\nexit 100`);

    const outcome = await pretest(dir, dir);

    if (asRoot) {
      expectInstallHint(outcome, /none was found, and apt-get could not install it \(log above, and in .*tokenwarden-redis-server-install\.log\)/);
      expect(outcome.stderr).toMatch(/apt line 11\napt line 12\n[^]*apt line 30\n/);
      expect(outcome.stderr).not.toMatch(/apt line 10\n/);
      expect(await calledWith(calls)).toEqual(['noninteractive update -o DPkg::Lock::Timeout=120']);
    } else {
      expectInstallHint(outcome, /; none was found: /);
      expect(await calledWith(calls)).toEqual([]);
    }
  });
});
