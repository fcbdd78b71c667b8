/**
 * Where a layer publishes one kind of event. A `node:diagnostics_channel` Channel has this
 * shape, and so has the silent sink of the web runtime, so lower layers (jwks/, revocation/,
 * the verified-token cache) are handed one without knowing which.
 */
export interface EventSink<Payload> {
  /** False while nobody listens: the publisher then builds no payload at all. */
  readonly hasSubscribers: boolean;
  publish(payload: Payload): void;
}

/** A sink nobody can listen to: the web runtime's, and the default of every layer. */
export const SILENT: EventSink<never> = Object.freeze({ hasSubscribers: false, publish: () => undefined });

/** At most this many characters of an untrusted string (a kid from a token's header) are published. */
export const MAX_UNTRUSTED_LENGTH = 128;

/** `value` cut to {@link MAX_UNTRUSTED_LENGTH} characters: a token's author chooses its header. */
export function untrusted(value: string | undefined): string | undefined {
  return value === undefined || value.length <= MAX_UNTRUSTED_LENGTH ? value : value.slice(0, MAX_UNTRUSTED_LENGTH);
}
