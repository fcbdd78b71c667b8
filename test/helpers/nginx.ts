// A real nginx for one test file (or the bench, or the example): Debian's package, run as the
// current user in the foreground, with the config generated from examples/gateway/nginx.conf
// (the one users copy) into a temp directory that also holds its pid, logs and temp files. It
// listens on a free loopback port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { refusedPort } from './jwks-server.js';

export const NGINX_TEMPLATE = fileURLToPath(new URL('../../examples/gateway/nginx.conf', import.meta.url));

export interface Nginx {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The end of nginx's error log, for failure messages. */
  errorLog(): string;
  /** Stops nginx (SIGQUIT, then SIGKILL) and removes its directory. */
  stop(): Promise<void>;
}

const READY_WITHIN_MS = 10_000;

/** True when an nginx binary is on PATH. */
export function nginxInstalled(): boolean {
  const found = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  return found.error === undefined && found.status === 0;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The template with its placeholders filled in. */
export function nginxConfig(values: { prefix: string; listen: string; sidecar: string; upstream: string }, template = readFileSync(NGINX_TEMPLATE, 'utf8')): string {
  const text = template
    .replaceAll('{{PREFIX}}', values.prefix)
    .replaceAll('{{LISTEN}}', values.listen)
    .replaceAll('{{SIDECAR}}', values.sidecar)
    .replaceAll('{{UPSTREAM}}', values.upstream);
  // Started by root, nginx hands its workers to `nobody`, who cannot use the temp directory:
  // run them as the current user, as for anyone else.
  return process.getuid?.() === 0 ? `user ${userInfo().username};\n${text}` : text;
}

/** Starts nginx between `sidecar` and `upstream` (host:port each). */
export async function startNginx(options: { sidecar: string; upstream: string; template?: string }): Promise<Nginx> {
  if (!nginxInstalled()) throw new Error('nginx is not installed: run `apt-get install -y nginx` (.ci/run does it)');
  const prefix = mkdtempSync(join(tmpdir(), 'tokenwarden-nginx-'));
  for (const dir of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(prefix, dir));
  let child: ChildProcess | undefined;
  let port = 0;
  const errorLog = (): string => {
    try {
      return readFileSync(join(prefix, 'error.log'), 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '(no error log)';
    }
  };
  const ATTEMPTS = 3;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    // A port nobody listens on now: nginx binds it (another process may beat it: try again).
    port = await refusedPort();
    const file = join(prefix, 'nginx.conf');
    writeFileSync(file, nginxConfig({ prefix, listen: `127.0.0.1:${port}`, sidecar: options.sidecar, upstream: options.upstream }, options.template));
    const started = spawn('nginx', ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', file, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    let stderr = '';
    started.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    const deadline = Date.now() + READY_WITHIN_MS;
    let ready = false;
    while (Date.now() < deadline && started.exitCode === null) {
      if (await accepts(port)) {
        ready = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    if (ready) break;
    started.kill('SIGKILL');
    if (attempt === ATTEMPTS) {
      const log = errorLog();
      rmSync(prefix, { recursive: true, force: true });
      throw new Error(`nginx did not start: ${stderr}\n${log}`);
    }
  }
  const running = child as ChildProcess;
  const killOnExit = (): void => void running.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    errorLog,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (running.exitCode === null && running.signalCode === null) {
        const exited = new Promise((resolve) => running.once('exit', resolve));
        running.kill('SIGQUIT');
        const timer = setTimeout(() => running.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
