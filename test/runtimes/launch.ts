// Starting workerd, Bun and Deno from their npm packages (devDependencies), each serving a bundle
// on a free loopback port. The binaries are found in the platform packages the npm packages
// depend on, so nothing relies on their install scripts having run.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { Readable } from 'node:stream';

const require = createRequire(import.meta.url);

/** A runtime serving the harness. */
export interface RunningRuntime {
  /** `http://127.0.0.1:{port}` */
  readonly origin: string;
  /** Where the runtime resolved `tokenwarden` from the consumer project (Bun and Deno). */
  readonly resolved?: string;
  /** What the runtime printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface RuntimeBinary {
  readonly path: string;
  readonly version: string;
}

/** A package's directory, or undefined when it is not installed. */
function packageDir(name: string): string | undefined {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

/** The first candidate that exists and answers `--version`. */
function firstWorking(name: string, candidates: readonly (string | undefined)[]): RuntimeBinary {
  for (const path of candidates) {
    if (path === undefined || !existsSync(path)) continue;
    try {
      const printed = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
      return { path, version: /\d+\.\d+\.\d+/.exec(printed)?.[0] ?? printed.trim() };
    } catch {
      // A placeholder left by a skipped install script: try the next candidate.
    }
  }
  throw new Error(`no working ${name} binary among ${candidates.filter(Boolean).join(', ')}: run npm install`);
}

const cpu = arch() === 'arm64' ? 'aarch64' : 'x64';

export function workerdBinary(): RuntimeBinary & { readonly compatibilityDate: string } {
  // The workerd package's main module finds its platform package's binary.
  const workerd = require('workerd') as { default: string; compatibilityDate: string; version: string };
  // `workerd --version` prints a date; the npm version says which release it is.
  return { path: firstWorking('workerd', [workerd.default]).path, version: workerd.version, compatibilityDate: workerd.compatibilityDate };
}

export function bunBinary(): RuntimeBinary {
  const own = packageDir(`@oven/bun-${platform()}-${cpu}`);
  const wrapper = packageDir('bun');
  // Bun's install script moves the binary from its platform package into bun/bin.
  return firstWorking('bun', [own && join(own, 'bin/bun'), wrapper && join(wrapper, 'bin/bun.exe')]);
}

export function denoBinary(): RuntimeBinary {
  const target = platform() === 'linux' ? `linux-${arch()}-glibc` : `${platform()}-${arch()}`;
  const own = packageDir(`@deno/${target}`);
  const wrapper = packageDir('deno');
  return firstWorking('deno', [own && join(own, 'deno'), wrapper && join(wrapper, 'deno')]);
}

/** Reads lines from `stream` until `parse` returns a value, within `seconds`. */
function firstMessage<T>(child: ChildProcess, stream: Readable, parse: (line: string) => T | undefined, output: () => string, seconds = 60): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => fail(new Error(`no answer within ${seconds} s`)), seconds * 1000);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(new Error(`${error.message}\n${output()}`));
    };
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        const value = line === '' ? undefined : parse(line);
        if (value !== undefined) {
          clearTimeout(timer);
          resolve(value);
          return;
        }
        newline = buffered.indexOf('\n');
      }
    });
    child.once('exit', (code, signal) => fail(new Error(`exited early (${signal ?? code})`)));
  });
}

const parseJson = (line: string): Record<string, unknown> | undefined => {
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/** Spawns a runtime, waits for its port, and wraps it. */
async function launch(
  binary: string,
  args: readonly string[],
  cwd: string,
  listening: (child: ChildProcess, output: () => string) => Promise<{ port: number; resolved?: string }>,
  extraFd = false,
): Promise<RunningRuntime> {
  const child = spawn(binary, args, {
    cwd,
    stdio: extraFd ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
    // No update checks, prompts or telemetry: the tests reach loopback only.
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', DO_NOT_TRACK: '1' },
  });
  let printed = '';
  const keep = (chunk: Buffer): void => {
    printed = (printed + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const output = (): string => `${binary} ${args.join(' ')} printed:\n${printed}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const { port, resolved } = await listening(child, output);
    return { origin: `http://127.0.0.1:${port}`, ...(resolved === undefined ? {} : { resolved }), output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Bun and Deno entries print `{ port, resolved }` on stdout once they listen. */
const fromStdout = (child: ChildProcess, output: () => string) =>
  firstMessage(child, child.stdout as Readable, (line) => {
    const message = parseJson(line);
    return typeof message?.port === 'number' ? { port: message.port, resolved: String(message.resolved) } : undefined;
  }, output);

/**
 * workerd serving `bundle` (an ES module worker, inside `dir`) on 127.0.0.1, with global fetch allowed to reach
 * loopback addresses only (workerd's default allows public addresses only).
 */
export async function startWorkerd(bundle: string, dir: string): Promise<RunningRuntime> {
  const { path, compatibilityDate } = workerdBinary();
  const config = join(dir, 'workerd.capnp');
  await writeFile(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "${relative(dir, bundle)}")],
  compatibilityDate = "${compatibilityDate}",
  globalOutbound = "loopback",
);
`,
  );
  // --control-fd reports the port bound for "127.0.0.1:0" as a JSON line.
  return launch(path, ['serve', config, '--control-fd=3'], dir, (child, output) =>
    firstMessage(child, child.stdio[3] as Readable, (line) => {
      const message = parseJson(line);
      return message?.event === 'listen' && message.socket === 'http' && typeof message.port === 'number' ? { port: message.port } : undefined;
    }, output), true);
}

/** Bun running `script` in `project` (its resolver picks the package's build). */
export function startBun(script: string, project: string): Promise<RunningRuntime> {
  return launch(bunBinary().path, ['run', '--no-install', script], project, fromStdout);
}

/** Deno running `script` in `project` with network access to loopback and nothing else. */
export function startDeno(script: string, project: string): Promise<RunningRuntime> {
  return launch(denoBinary().path, ['run', '--allow-net=127.0.0.1', '--no-prompt', '--no-lock', script], project, fromStdout);
}
