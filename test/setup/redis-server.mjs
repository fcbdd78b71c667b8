// `npm test` runs this first (the pretest script): the Redis store suites start their own
// redis-server, so one must be on PATH. When redis-server 7 or later is there, this does
// nothing. Otherwise it installs it when that needs nobody's say (root, with apt-get), and
// else stops at once with one line saying how to install it. Plain JavaScript, as npm runs it
// with node before anything is compiled.
import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

// The Redis revocation store relies on EXPIRETIME, new in Redis 7.
const MIN_MAJOR = 7;
const HOW_TO_INSTALL =
  'install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis; ' +
  'elsewhere: https://redis.io/downloads/), then run npm test again';
// apt-get waits this long for another apt run to release its lock, and each step gets this long in all.
const APT_LOCK_WAIT = 120;
const APT_STEP_TIMEOUT_MS = 15 * 60 * 1000;
const LOG_TAIL_LINES = 20;

/** `{ major, line }` of the redis-server on PATH, or undefined when none runs. */
function installedRedisServer() {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (found.error || found.status !== 0) return undefined;
  const line = found.stdout.trim();
  return { major: Number(/v=(\d+)\./.exec(line)?.[1] ?? 0), line };
}

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    if (dir === '') return false;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Exits with the one line a newcomer needs: what is missing and how to install it. */
function stop(reason) {
  console.error(`npm test needs redis-server ${MIN_MAJOR} or later on PATH; ${reason}: ${HOW_TO_INSTALL}.`);
  process.exit(1);
}

/** Runs apt-get update, then install; returns false (after showing the log's tail) if either fails. */
function aptInstall(log) {
  const fd = openSync(log, 'w');
  try {
    const options = {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: APT_STEP_TIMEOUT_MS,
    };
    const lock = ['-o', `DPkg::Lock::Timeout=${APT_LOCK_WAIT}`];
    for (const args of [['update', ...lock], ['install', '-y', ...lock, 'redis-server']]) {
      const step = spawnSync('apt-get', args, options);
      if (step.error || step.status !== 0) return false;
    }
    return true;
  } finally {
    closeSync(fd);
  }
}

function tail(file) {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  return lines.slice(-LOG_TAIL_LINES).join('\n');
}

const before = installedRedisServer();
if (before !== undefined && before.major >= MIN_MAJOR) process.exit(0);
const found = before === undefined ? 'none was found' : `the one found is too old (${before.line})`;

if (process.getuid?.() !== 0 || !onPath('apt-get')) stop(found);

const log = join(tmpdir(), 'tokenwarden-redis-server-install.log');
console.error(`redis-server ${MIN_MAJOR}+ not found: installing it with apt-get (log: ${log})`);
if (!aptInstall(log)) {
  console.error(tail(log));
  stop(`${found}, and apt-get could not install it (log above, and in ${log})`);
}
const after = installedRedisServer();
if (after === undefined || after.major < MIN_MAJOR) {
  stop(after === undefined ? 'apt-get installed none' : `apt-get installed one too old (${after.line})`);
}
console.error(`installed ${after.line}`);
