// An HTTP server in a process of its own, for tests that stall this process's event loop: it
// keeps answering while this one cannot look. Loopback only; it says on stdout when a request
// arrives, and answers it `delayMs` later.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildServer {
  /** `http://127.0.0.1:{port}` */
  readonly origin: string;
  /** Resolves when the next request has reached the server. */
  nextRequest(): Promise<void>;
  close(): Promise<void>;
}

const SCRIPT = `
const http = require('node:http');
const [body, delayMs] = [process.env.BODY, Number(process.env.DELAY_MS)];
const server = http.createServer((req, res) => {
  process.stdout.write('request\\n');
  setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }, delayMs);
});
server.listen(0, '127.0.0.1', () => process.stdout.write('port ' + server.address().port + '\\n'));
`;

/** Starts a server that answers every request with `body` (JSON) after `delayMs`. */
export async function startChildServer(body: unknown, delayMs: number): Promise<ChildServer> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SCRIPT], {
    env: { ...process.env, BODY: JSON.stringify(body), DELAY_MS: String(delayMs) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const waiting: (() => void)[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`child server exited with ${code}`)));
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let newline = buffered.indexOf('\n'); newline !== -1; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.startsWith('port ')) resolve(Number(line.slice(5)));
        else if (line === 'request') waiting.shift()?.();
      }
    });
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    nextRequest: () => new Promise<void>((resolve) => waiting.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
