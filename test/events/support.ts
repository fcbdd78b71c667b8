// Listens on every tokenwarden channel the way a user would (node:diagnostics_channel's
// subscribe and tracingChannel().subscribe) and keeps what was published, in order.
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { CHANNELS, type VerifyContext } from '../../src/index.js';

/** The five events of the `tokenwarden:verify` trace. */
export type TracePhase = 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error';

export interface Published {
  /** The channel's name, with `:start` etc. appended for the trace. */
  readonly channel: string;
  /** What was published; for the trace, a copy of the context as it was at that moment. */
  readonly payload: unknown;
  /** For the trace: the context object itself (one per verification). */
  readonly context?: VerifyContext;
}

export interface Recorder {
  readonly published: Published[];
  /** The payloads of one plain channel. */
  of<Payload>(channel: string): Payload[];
  /** The trace events, as `[phase, context copy]`. */
  traces(): [TracePhase, VerifyContext][];
  /** Unsubscribes everything. */
  stop(): void;
}

const PLAIN = [
  CHANNELS.jwksFetch,
  CHANNELS.jwksSkipped,
  CHANNELS.jwksStale,
  CHANNELS.revocationError,
  CHANNELS.revocationFailOpen,
  CHANNELS.cacheEvict,
  CHANNELS.introspectionRequest,
  CHANNELS.introspectionLimited,
];

/** Subscribes to every channel (or to those named) until `stop()`. */
export function recordEvents(channels: readonly string[] = [...PLAIN, CHANNELS.verify]): Recorder {
  const published: Published[] = [];
  const stops: (() => void)[] = [];
  for (const name of channels) {
    if (name === CHANNELS.verify) {
      const trace = tracingChannel<unknown, VerifyContext>(CHANNELS.verify);
      const on = (phase: TracePhase) => (context: VerifyContext) => {
        published.push({ channel: `${CHANNELS.verify}:${phase}`, payload: { ...context }, context });
      };
      const handlers = { start: on('start'), end: on('end'), asyncStart: on('asyncStart'), asyncEnd: on('asyncEnd'), error: on('error') };
      trace.subscribe(handlers);
      stops.push(() => trace.unsubscribe(handlers));
    } else {
      const listener = (payload: unknown): void => void published.push({ channel: name, payload });
      subscribe(name, listener);
      stops.push(() => unsubscribe(name, listener));
    }
  }
  return {
    published,
    of: <Payload>(channel: string) => published.filter((event) => event.channel === channel).map((event) => event.payload as Payload),
    traces: () =>
      published
        .filter((event) => event.channel.startsWith(`${CHANNELS.verify}:`))
        .map((event) => [event.channel.slice(CHANNELS.verify.length + 1) as TracePhase, event.payload as VerifyContext]),
    stop: () => {
      for (const stop of stops.splice(0)) stop();
    },
  };
}
