// A real redis-server for one test file (or the benchmark): loopback only, a free port, no
// persistence, its own scratch directory. Tests may kill it and start it again on the same port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Sends SIGKILL and waits for the process to exit: a crash, with connections cut. */
  kill(): Promise<void>;
  /** Starts it again on the same port (after kill or stop) and waits until it answers PING. */
  restart(): Promise<void>;
  /** Stops it for good and removes its directory. */
  stop(): Promise<void>;
}

const READY_WITHIN_MS = 10_000;

/** The installed redis-server's major version; fails with a hint when there is none. */
export function redisServerMajorVersion(): number {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    throw new Error('redis-server is not installed: run `apt-get install -y redis-server` (the tests start their own instance)');
  }
  const major = Number(/v=(\d+)\./.exec(found.stdout)?.[1]);
  if (!(major >= 7)) throw new Error(`the Redis tests need redis-server 7 or later (EXPIRETIME), found: ${found.stdout.trim()}`);
  return major;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.once('connect', () => socket.write('PING\r\n'));
  });
}

async function waitUntilReady(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} before answering`);
    if (await ping(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within ${READY_WITHIN_MS} ms`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts redis-server on a free loopback port; stop it in afterAll. */
export async function startRedisServer(): Promise<RedisServer> {
  redisServerMajorVersion();
  const dir = mkdtempSync(join(tmpdir(), 'tokenwarden-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;

  async function launch(): Promise<void> {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    // DEBUG SLEEP (a slow Redis, in the tests) is off by default since Redis 7.
    args.push('--daemonize', 'no', '--loglevel', 'warning', '--enable-debug-command', 'local');
    const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    // Keep the end of its log for the error message, and keep the pipes drained.
    let log = '';
    const keep = (chunk: Buffer): void => {
      log = (log + chunk.toString('utf8')).slice(-2000);
    };
    started.stdout?.on('data', keep);
    started.stderr?.on('data', keep);
    try {
      await waitUntilReady(port, started);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${log}`);
    }
  }

  // A port found free can be taken before redis binds it: try a few.
  const ATTEMPTS = 3;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    port = await freePort();
    try {
      await launch();
      break;
    } catch (error) {
      child?.kill('SIGKILL');
      if (attempt === ATTEMPTS) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  async function kill(): Promise<void> {
    if (child === undefined) return;
    const running = child;
    running.kill('SIGKILL');
    await exited(running);
  }

  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    async restart() {
      await kill();
      await launch();
    },
    async stop() {
      await kill();
      process.removeListener('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
