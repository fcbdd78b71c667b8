// A real redis-server for one test file (or the benchmark): loopback only, a free port, no
// persistence, its own scratch directory. Tests may kill it and start it again on the same port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  /** Starts it again on the same port (after kill or stop) and waits until that new process answers. */
  restart(): Promise<void>;
  /** Stops it for good and removes its directory. */
  stop(): Promise<void>;
}

const READY_WITHIN_MS = 10_000;

// Ports held by a server of some test process, even while it is down to be restarted there: a
// file per port, naming the process that holds it. Test files run in several processes at once,
// and a port one of them left free for a moment must not be handed to another's new server.
const HELD_PORTS = join(tmpdir(), 'tokenwarden-redis-ports');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Claims `port` for this process; false when a live process holds it. */
function holdPort(port: number): boolean {
  mkdirSync(HELD_PORTS, { recursive: true });
  const file = join(HELD_PORTS, String(port));
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    const holder = Number(readFileSync(file, 'utf8'));
    if (holder === process.pid || (Number.isInteger(holder) && holder > 0 && isAlive(holder))) return false;
    // Left behind by a process that is gone: taken over.
    writeFileSync(file, String(process.pid));
    return true;
  }
}

function releasePort(port: number): void {
  rmSync(join(HELD_PORTS, String(port)), { force: true });
}

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

/**
 * Whether the redis-server answering on `port` is the process `pid`. A PING alone is not enough:
 * while one test file's server is down (killed, to be restarted on its port), another file may
 * start its own server on that free port, and a restart that took its PONG for readiness would
 * go on talking to a server its owner is about to kill.
 */
function answersAs(port: number, pid: number | undefined): Promise<boolean> {
  return sendCommand(port, ['INFO', 'server'], 500).then(
    (reply) => pid !== undefined && new RegExp(`\\bprocess_id:${pid}\\r\\n`).test(reply),
    () => false,
  );
}

async function waitUntilReady(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} before answering`);
    if (await answersAs(port, child.pid)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within ${READY_WITHIN_MS} ms`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts redis-server on a free loopback port; stop it in afterAll. */
export async function startRedisServer(options: { clusterNode?: boolean } = {}): Promise<RedisServer & { readonly busPort: number }> {
  redisServerMajorVersion();
  const dir = mkdtempSync(join(tmpdir(), 'tokenwarden-redis-'));
  let port = 0;
  // A cluster node's bus port defaults to port + 10000, which nobody checked is free.
  let busPort = 0;
  let child: ChildProcess | undefined;

  async function launch(): Promise<void> {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    if (options.clusterNode === true) {
      args.push('--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort));
    }
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
    busPort = options.clusterNode === true ? await freePort() : 0;
    const held = holdPort(port);
    if (!held || (busPort !== 0 && !holdPort(busPort))) {
      // Another test process's server lives there, down for a moment: never start on it.
      if (held) releasePort(port);
      if (attempt === ATTEMPTS) throw new Error(`no free port for redis-server after ${ATTEMPTS} tries`);
      continue;
    }
    try {
      await launch();
      break;
    } catch (error) {
      child?.kill('SIGKILL');
      releasePort(port);
      if (busPort !== 0) releasePort(busPort);
      if (attempt === ATTEMPTS) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
    releasePort(port);
    if (busPort !== 0) releasePort(busPort);
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
    busPort,
    url: `redis://127.0.0.1:${port}`,
    kill,
    async restart() {
      await kill();
      await launch();
    },
    async stop() {
      await kill();
      process.removeListener('exit', killOnExit);
      releasePort(port);
      if (busPort !== 0) releasePort(busPort);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisCluster {
  /** The primaries, each holding an equal share of the 16 384 hash slots. */
  readonly nodes: readonly (RedisServer & { readonly busPort: number })[];
  /** Stops every node for good. */
  stop(): Promise<void>;
}

const CLUSTER_SLOTS = 16_384;

/**
 * Starts a Redis Cluster of `size` primaries (no replicas) on loopback and waits until every
 * node reports it healthy. Built with CLUSTER ADDSLOTSRANGE and CLUSTER MEET, as redis-cli
 * --cluster create would, so that nothing beyond redis-server is needed.
 */
export async function startRedisCluster(size = 3): Promise<RedisCluster> {
  const nodes: (RedisServer & { readonly busPort: number })[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    for (let i = 0; i < size; i++) nodes.push(await startRedisServer({ clusterNode: true }));
    for (const [i, node] of nodes.entries()) {
      const first = Math.floor((i * CLUSTER_SLOTS) / size);
      const last = Math.floor(((i + 1) * CLUSTER_SLOTS) / size) - 1;
      await sendCommand(node.port, ['CLUSTER', 'ADDSLOTSRANGE', String(first), String(last)]);
    }
    for (const node of nodes.slice(1)) {
      await sendCommand(nodes[0]!.port, ['CLUSTER', 'MEET', '127.0.0.1', String(node.port), String(node.busPort)]);
    }
    const deadline = Date.now() + READY_WITHIN_MS;
    for (const node of nodes) {
      while (!(await sendCommand(node.port, ['CLUSTER', 'INFO'])).includes('cluster_state:ok')) {
        if (Date.now() > deadline) throw new Error(`the Redis Cluster was not healthy within ${READY_WITHIN_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, stop };
}

/** One command in RESP over a fresh connection; resolves with the raw reply text. */
function sendCommand(port: number, args: readonly string[], timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`no reply to ${args.join(' ')} on port ${port}`));
    });
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.startsWith('-')) {
        socket.destroy();
        reject(new Error(`${args.join(' ')} on port ${port}: ${reply.trim()}`));
      } else if (isCompleteReply(reply)) {
        socket.destroy();
        resolve(reply);
      }
    });
    socket.once('connect', () => {
      socket.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`);
    });
  });
}

// The replies of the commands above: a simple string (+OK) or one bulk string ($<length>).
function isCompleteReply(reply: string): boolean {
  if (reply.startsWith('+')) return reply.includes('\r\n');
  const header = /^\$(\d+)\r\n/.exec(reply);
  return header !== null && Buffer.byteLength(reply) >= header[0].length + Number(header[1]) + 2;
}
