// An open-loop load generator with microsecond latencies, for the gateway's fixed-rate rows:
// requests leave on a schedule (`rate` per second) whether or not earlier ones have answered,
// over a pool of keep-alive connections, and each latency is timed from the moment its request
// was due to the end of its response body. Timing from the due moment (not from when a busy
// connection finally took the request) keeps a stall from hiding the requests it delayed, the
// "coordinated omission" a closed loop suffers. autocannon records whole milliseconds, too
// coarse for a goal of 1 ms.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface OpenLoopOptions {
  /** `http://127.0.0.1:port`: loopback only. */
  readonly origin: string;
  readonly path: string;
  /** Requests per second, offered whatever the answers. */
  readonly rate: number;
  readonly connections: number;
  readonly seconds: number;
  /** The headers of the i-th request. */
  readonly headers: (i: number) => Record<string, string>;
}

export interface OpenLoopResult {
  readonly sent: number;
  /** Requests answered with a status other than 2xx, or failed. */
  readonly failures: number;
  /** From the moment each request was due to the end of its answer, in ms (µs resolution), sorted. */
  readonly latencies: Float64Array;
  /** From the moment each request was handed to the pool (the tick that sent it), sorted: the
   * same less the generator's own lateness in sending. */
  readonly serviceTimes: Float64Array;
  /** The generator's CPU time over wall time: 1.0 is one core kept busy. */
  readonly loadCpu: number;
}

/** The q-quantile (0..1) of sorted latencies, nearest rank. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { origin, path, rate, connections, seconds, headers } = options;
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(origin)) throw new Error(`openLoop: loopback origins only, not ${origin}`);
  const pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const total = Math.round(rate * seconds);
  const latencies = new Float64Array(total);
  const serviceTimes = new Float64Array(total);
  let sent = 0;
  let answered = 0;
  let failures = 0;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();

  const one = async (i: number, due: number): Promise<void> => {
    const handed = performance.now();
    try {
      const { statusCode, body } = await pool.request({ path, method: 'GET', headers: headers(i) });
      await body.dump();
      if (statusCode < 200 || statusCode > 299) failures++;
    } catch {
      failures++;
    }
    const end = performance.now();
    latencies[i] = end - due;
    serviceTimes[i] = end - handed;
    answered++;
  };

  const pending: Promise<void>[] = [];
  // Bounded: each tick (a 1 ms timer, no busy wait that would take a core from the services)
  // sends what is due by now; the loop ends once all `total` are sent.
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    for (; sent < due; sent++) pending.push(one(sent, start + (sent * 1000) / rate));
    if (sent < total) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  const wall = (performance.now() - start) * 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await pool.close();
  if (answered !== total) throw new Error(`openLoop: ${answered} of ${total} answered`);
  return { sent, failures, latencies: latencies.sort(), serviceTimes: serviceTimes.sort(), loadCpu: (cpu.user + cpu.system) / wall };
}
