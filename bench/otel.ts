// The otel section of `npm run bench`: what tokenwarden/opentelemetry costs a verification.
// tokenwarden with no subscriber on its channels, against the same with instrument() attached
// (metrics only; metrics and spans), each with the real SDK exporting nowhere, in one
// interleaved run. Ratios are paired by round (see measure.ts).
import { tracingChannel } from 'node:diagnostics_channel';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { CHANNELS } from '../src/index.js';
import { instrument, type InstrumentOptions } from '../src/opentelemetry/index.js';
import { tokenwarden } from './contenders.js';
import { createKeys, createTokens, serveJwks, type BenchAlgorithm } from './fixtures.js';
import { interleavedPasses, median, pairedRatio, sequential, type Runner } from './measure.js';

const TOKENS = Number(process.env.BENCH_TOKENS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);

// Exporters that drop what they are handed: what is measured is recording, not shipping.
const discardSpans: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => undefined };
const discardMetrics: PushMetricExporter = {
  export: (_metrics, done) => done({ code: 0 }),
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
  selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
};

interface Setup {
  readonly name: string;
  /** Subscribes for one pass and returns the unsubscribe; unset for the row with no subscriber. */
  readonly attach: (() => () => void) | undefined;
}

/** instrument() with `options`, closed after the pass. */
const instrumented = (options: InstrumentOptions) => () => {
  const instrumentation = instrument(options);
  return () => instrumentation.close();
};

/**
 * A subscriber to tokenwarden:verify that does nothing: what tracing a verification costs
 * before anything is recorded, so the rows below it show what instrument() adds.
 */
function emptySubscriber(): () => void {
  const ignore = (): void => undefined;
  const handlers = { start: ignore, end: ignore, asyncStart: ignore, asyncEnd: ignore, error: ignore };
  const channel = tracingChannel(CHANNELS.verify);
  channel.subscribe(handlers);
  return () => channel.unsubscribe(handlers);
}

/**
 * The SDK as a service would configure it: a periodic metric reader, and a batch span processor
 * (the SDK's advice for production) behind the default always-on sampler. No context manager
 * is registered, so spans are roots; one would cost every row alike.
 */
function setups(): { readonly rows: Setup[]; shutdown(): Promise<void> } {
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: discardMetrics, exportIntervalMillis: 60_000 })],
  });
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(discardSpans)] });
  return {
    rows: [
      { name: 'tokenwarden, no subscriber', attach: undefined },
      { name: 'an empty verify subscriber', attach: emptySubscriber },
      { name: 'instrument(): metrics', attach: instrumented({ meterProvider, spans: false }) },
      { name: 'instrument(): metrics + spans', attach: instrumented({ meterProvider, tracerProvider }) },
    ],
    shutdown: async () => {
      await Promise.all([meterProvider.shutdown(), tracerProvider.shutdown()]);
    },
  };
}

/**
 * A runner that attaches its subscriber for its own passes only: channels are process-wide, so
 * a subscriber left attached would be heard by every row. Attaching and closing cost a few
 * microseconds a pass, against tens of milliseconds for the pass.
 */
function attached(run: Runner, attach: Setup['attach']): Runner {
  if (attach === undefined) return run;
  return async (tokens) => {
    const detach = attach();
    try {
      await run(tokens);
    } finally {
      detach();
    }
  };
}

async function table(title: string, rows: readonly Setup[], runners: Runner[], passes: readonly (readonly string[])[]): Promise<void> {
  const { rates, bytes } = await interleavedPasses(runners, passes);
  const base = rates[0] as number[];
  console.log(`\n${title}`);
  console.log(`  ${'verifier'.padEnd(32)} ${'ops/s'.padStart(9)} ${'kB/op'.padStart(6)}  × no subscriber`);
  for (const [i, row] of rows.entries()) {
    const paired = pairedRatio(rates[i] as number[], base);
    const ratio = i === 0 ? '1.00' : `${paired.median.toFixed(3)}, at least as fast in ${paired.ahead} of ${paired.rounds} rounds`;
    const kilobytes = (median(bytes[i] as number[]) / 1000).toFixed(2);
    console.log(`  ${row.name.padEnd(32)} ${Math.round(median(rates[i] as number[])).toString().padStart(9)} ${kilobytes.padStart(6)}  ${ratio}`);
  }
}

export async function otelSection(alg: BenchAlgorithm = 'RS256'): Promise<void> {
  const keys = createKeys(alg);
  const jwks = await serveJwks([keys]);
  const { rows, shutdown } = setups();
  try {
    // One verifier per row: each has its own verified-token cache, so each sees a token as often as the others.
    const verifiers = await Promise.all(rows.map(() => tokenwarden(keys, jwks.uri)));
    const runners = rows.map((row, i) => attached(sequential((verifiers[i] as { verify: (token: string) => unknown }).verify), row.attach));
    const distinct = Array.from({ length: 1 + ROUNDS }, () => createTokens(keys, TOKENS, Math.floor(Math.random() * 1e9)));
    await table(`otel — ${alg} sequential, ${TOKENS} distinct tokens, cached keys`, rows, runners, distinct);
    // The verified-token cache answers in about a microsecond: the integration's cost at its most visible.
    const one = createTokens(keys, 1)[0] as string;
    const repeated = Array.from({ length: 1 + ROUNDS }, () => Array.from({ length: TOKENS }, () => one));
    await table(`otel — ${alg} the same token ${TOKENS} times (verified-token cache)`, rows, runners, repeated);
  } finally {
    await shutdown();
    await jwks.close();
  }
}
