import { context as otelContext, SpanKind, SpanStatusCode, type Attributes, type Span, type TracerProvider } from '@opentelemetry/api';
import type { JwksFetchEvent } from '../events/jwks.js';
import type { VerifyContext } from '../events/verify.js';
import { ATTRIBUTE, SCOPE, SPAN } from './names.js';
import type { Verdict } from './outcome.js';

/** Records verifications and key-set fetches as spans. */
export interface SpanRecorder {
  /** Starts the span of a verification, as a child of the context active where it was called. */
  start(): Span;
  /** Describes and ends it with what the trace context learnt. */
  end(span: Span, context: VerifyContext, verdict: Verdict): void;
  fetch(event: JwksFetchEvent): void;
}

// The kind of error a span names in `error.type` when the error is not an AccessTokenError;
// `_OTHER` is the semantic conventions' value for an error of no known type.
const OTHER = '_OTHER';

export function createSpanRecorder(provider: TracerProvider): SpanRecorder {
  const tracer = provider.getTracer(SCOPE);
  return {
    start() {
      return tracer.startSpan(SPAN.verify, { kind: SpanKind.INTERNAL }, otelContext.active());
    },

    end(span, context, { outcome, code }) {
      // Only fields the verify event carries, and never sub, client_id or scope: a span is kept
      // and shown to more people than the service's own logs, and these name people.
      const attributes: Attributes = { [ATTRIBUTE.outcome]: outcome };
      if (context.issuer !== undefined) attributes[ATTRIBUTE.issuer] = context.issuer;
      if (context.cached !== undefined) attributes[ATTRIBUTE.cached] = context.cached;
      if (context.alg !== undefined) attributes[ATTRIBUTE.alg] = context.alg;
      if (context.kid !== undefined) attributes[ATTRIBUTE.kid] = context.kid;
      if (outcome !== 'accepted') {
        attributes[ATTRIBUTE.errorType] = code ?? OTHER;
        if (code !== undefined) attributes[ATTRIBUTE.code] = code;
        span.setStatus({ code: SpanStatusCode.ERROR, message: code ?? OTHER });
      }
      span.setAttributes(attributes);
      span.end();
    },

    fetch(event) {
      // The event is published when the fetch ends: the span is started back at its beginning.
      const endTime = Date.now();
      const attributes: Attributes = {
        [ATTRIBUTE.issuer]: event.issuer,
        [ATTRIBUTE.reason]: event.reason,
        [ATTRIBUTE.metadata]: event.metadata,
      };
      if (event.url !== undefined) attributes[ATTRIBUTE.url] = redactUserinfo(event.url);
      if (event.status !== undefined) attributes[ATTRIBUTE.status] = event.status;
      if (event.keys !== undefined) attributes[ATTRIBUTE.keys] = event.keys;
      if (event.skipped !== undefined) attributes[ATTRIBUTE.skipped] = event.skipped;
      if (event.added !== undefined && event.added.length > 0) attributes[ATTRIBUTE.added] = [...event.added];
      if (event.removed !== undefined && event.removed.length > 0) attributes[ATTRIBUTE.removed] = [...event.removed];
      const span = tracer.startSpan(
        SPAN.jwksFetch,
        { kind: SpanKind.INTERNAL, startTime: endTime - event.durationMs, attributes },
        otelContext.active(),
      );
      if (event.error !== undefined) {
        span.setAttribute(ATTRIBUTE.errorType, fetchErrorType(event.status, event.error));
        // Fetch errors name a URL or an HTTP status, never a token (docs/events.md).
        span.setStatus({ code: SpanStatusCode.ERROR, message: event.error.message });
      }
      span.end(endTime);
    },
  };
}

/** The URL without a user name or password, as the semantic conventions ask of `url.full`. */
function redactUserinfo(href: string): string {
  if (!href.includes('@')) return href;
  try {
    const url = new URL(href);
    if (url.username === '' && url.password === '') return href;
    url.username = 'REDACTED';
    url.password = url.password === '' ? '' : 'REDACTED';
    return url.href;
  } catch {
    return href;
  }
}

/** `error.type` of a failed fetch: the HTTP status when the issuer answered with an error, as the HTTP conventions do. */
function fetchErrorType(status: number | undefined, error: Error): string {
  if (status !== undefined && status >= 400) return String(status);
  return error.name === 'Error' ? OTHER : error.name;
}
