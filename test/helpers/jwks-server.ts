// Loopback HTTP servers with a programmable handler, for the key-source tests that go through
// undici (msw cannot see that traffic). Every server records what it was asked and which
// sockets are open, and `closeServers()` (call it in afterEach) tears all of them down.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface SeenRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

export interface LoopbackServer {
  /** `http://127.0.0.1:{port}` */
  readonly origin: string;
  readonly port: number;
  /** `origin + path` */
  url(path: string): string;
  /** Every request received, in order. */
  readonly requests: readonly SeenRequest[];
  /** How many requests were received, for one path or in all. */
  count(path?: string): number;
  /** Replaces the handler for the requests that follow. */
  handle(handler: Handler): void;
  /** Sockets currently open to this server. */
  readonly openSockets: number;
  /** Stops listening and destroys every connection; afterwards the port refuses. */
  close(): Promise<void>;
}

const running = new Set<LoopbackServer>();

/** Starts a server on 127.0.0.1 with a free port. Unhandled paths get a JSON 404. */
export async function startServer(handler: Handler = notFound): Promise<LoopbackServer> {
  let current = handler;
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    Promise.resolve()
      .then(() => current(req, res))
      .catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  let closed: Promise<void> | undefined;

  const loopback: LoopbackServer = {
    origin,
    port,
    url: (path) => origin + path,
    requests,
    count: (path) => (path === undefined ? requests.length : requests.filter((req) => req.path === path).length),
    handle(next) {
      current = next;
    },
    get openSockets() {
      return sockets.size;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        running.delete(loopback);
        server.close(() => resolve());
        // Hanging handlers keep their sockets open: cut them so close() returns.
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
  running.add(loopback);
  return loopback;
}

/** Closes every server started since the last call. */
export async function closeServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.close()));
}

/** A port on 127.0.0.1 that was just in use and now refuses connections. */
export async function refusedPort(): Promise<number> {
  const server = await startServer();
  await server.close();
  return server.port;
}

export function notFound(_req: IncomingMessage, res: ServerResponse): void {
  sendJson(res, 404, { error: 'not_found' });
}

/** Answers with a JSON body (any value, or raw text when given a string) and extra headers. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** What a streaming handler managed to write before the client went away. */
export interface StreamRecord {
  bytesWritten: number;
  /** The client closed the connection before the whole body was written. */
  clientClosedEarly: boolean;
  done: boolean;
}

/**
 * Writes `total` bytes of `fill` in `chunk`-byte pieces, honouring backpressure, and stops
 * when the client goes away. With `delayMs`, waits that long between pieces (a slow drip).
 * Resolves when the body is finished or abandoned.
 */
export async function streamBody(
  req: IncomingMessage,
  res: ServerResponse,
  record: StreamRecord,
  options: { total: number; chunk: number; delayMs?: number; fill?: string },
): Promise<void> {
  const piece = Buffer.alloc(options.chunk, options.fill ?? ' ');
  let gone = false;
  const onClose = (): void => {
    if (!record.done) {
      gone = true;
      record.clientClosedEarly = true;
    }
  };
  req.socket.once('close', onClose);
  res.once('close', onClose);
  while (!gone && record.bytesWritten < options.total) {
    const size = Math.min(options.chunk, options.total - record.bytesWritten);
    const flushed = res.write(size === piece.length ? piece : piece.subarray(0, size));
    record.bytesWritten += size;
    if (options.delayMs !== undefined) await pause(options.delayMs);
    else if (!flushed) await new Promise<void>((resolve) => {
      const finish = (): void => {
        res.off('drain', finish);
        res.off('close', finish);
        resolve();
      };
      res.once('drain', finish);
      res.once('close', finish);
    });
  }
  if (!gone) {
    record.done = true;
    res.end();
  }
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until `condition` holds, checking every `intervalMs` (real time) at most `tries`
 * times; throws naming `what` when it never does.
 */
export async function waitFor(condition: () => boolean, what: string, tries = 300, intervalMs = 10): Promise<void> {
  for (let attempt = 0; attempt < tries; attempt++) {
    if (condition()) return;
    await pause(intervalMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}
