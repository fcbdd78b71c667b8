// A lean closed-loop load generator for the end-to-end section (issue #22): raw keep-alive
// sockets, requests written from bytes prepared before the run, answers found by their
// Content-Length. autocannon parses every response in JavaScript and built each request's
// headers afresh; on two cores it needed a whole core to keep bare Fastify at 80% of the other,
// so the no-authentication row measured the generator. This one spends a few µs per request,
// so the service saturates first and its req/s is what it can serve.
//
// Each connection keeps `depth` requests outstanding (1 is plain keep-alive; more pipelines
// them, HTTP/1.1 allowing answers only in order) and sends the next as soon as one is answered.
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface ClosedLoopOptions {
  readonly port: number;
  readonly path: string;
  readonly connections: number;
  /** Requests outstanding on each connection; 1 waits for each answer before the next request. */
  readonly depth: number;
  readonly seconds: number;
  /** The `Authorization` header of each request, taken in turn; none when empty. */
  readonly authorizations: readonly string[];
}

export interface ClosedLoopResult {
  /** Answers within the timed `seconds`. */
  readonly requests: number;
  readonly perSecond: number;
  /** Every answer, those to the requests still outstanding when the time was up included. */
  readonly answered: number;
  /** Answers with a status other than 2xx. */
  readonly non2xx: number;
  /** From writing a request to the end of its answer, in ms, sorted (a sample of at most 100 000). */
  readonly latencies: Float64Array;
  /** The generator's CPU time over wall time: 1.0 is one core kept busy. */
  readonly cpu: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const MAX_SAMPLES = 100_000;

/** Runs the load against 127.0.0.1:`port` for `seconds`, then lets the outstanding answers arrive. */
export async function closedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const { port, path, connections, depth, seconds, authorizations } = options;
  const requests = (authorizations.length === 0 ? [''] : authorizations).map((authorization) =>
    Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${authorization === '' ? '' : `Authorization: ${authorization}\r\n`}\r\n`, 'latin1'),
  );
  const samples = new Float64Array(MAX_SAMPLES);
  let sampled = 0;
  let answered = 0;
  let non2xx = 0;
  let next = 0;
  let stopping = false;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();

  const drive = (socket: Socket): Promise<void> =>
    new Promise((resolve, reject) => {
      // Send times of the outstanding requests, oldest first: answers come back in order.
      const sentAt: number[] = [];
      let pending: Buffer | undefined;
      const send = (count: number): void => {
        if (stopping || count === 0) return;
        socket.cork();
        const now = performance.now();
        for (let i = 0; i < count; i++) {
          socket.write(requests[next++ % requests.length] as Buffer);
          sentAt.push(now);
        }
        socket.uncork();
      };
      socket.on('data', (chunk: Buffer) => {
        let data = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
        let completed = 0;
        const now = performance.now();
        // Bounded by the bytes received: each turn consumes one whole answer or stops.
        for (;;) {
          const headerEnd = data.indexOf(HEADER_END);
          if (headerEnd === -1) break;
          const head = data.toString('latin1', 0, headerEnd);
          const length = CONTENT_LENGTH.exec(head);
          if (length === null) {
            reject(new Error('closedLoop: an answer without Content-Length'));
            socket.destroy();
            return;
          }
          const end = headerEnd + HEADER_END.length + Number(length[1]);
          if (data.length < end) break;
          if (head.charCodeAt(9) !== 0x32 /* 2xx */) non2xx++;
          const sent = sentAt.shift() as number;
          if (sampled < MAX_SAMPLES) samples[sampled++] = now - sent;
          completed++;
          data = data.subarray(end);
        }
        pending = data.length === 0 ? undefined : data;
        answered += completed;
        send(completed);
        if (stopping && sentAt.length === 0) socket.end();
      });
      socket.on('error', reject);
      socket.on('close', () => (sentAt.length === 0 ? resolve() : reject(new Error('closedLoop: connection closed with requests outstanding'))));
      send(depth);
    });

  const sockets = await Promise.all(
    Array.from({ length: connections }, () => {
      const socket = connect({ port, host: '127.0.0.1', noDelay: true });
      return new Promise<Socket>((resolve, reject) => socket.once('connect', () => resolve(socket)).once('error', reject));
    }),
  );
  const done = Promise.all(sockets.map(drive));
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const countedAt = performance.now();
  const counted = answered;
  const cpu = process.cpuUsage(cpuBefore);
  stopping = true;
  await done;
  const wall = (countedAt - started) * 1000;
  const latencies = samples.subarray(0, sampled).sort();
  return { requests: counted, answered, perSecond: counted / ((countedAt - started) / 1000), non2xx, latencies, cpu: (cpu.user + cpu.system) / wall };
}
