// `"opentelemetry": true`: the sidecar records metrics and spans with `instrument()`, into
// whatever OpenTelemetry SDK the operator loads before it (`node --import ./otel-setup.js`),
// through the global providers of `@opentelemetry/api`. The API is an optional peer: without
// it, the config asks for something that cannot work, and the service refuses to start.
import type { HealthSource } from '../opentelemetry/options.js';

/** Starts recording for `verifier`; throws TypeError when `@opentelemetry/api` is not installed. */
export async function startTelemetry(verifier: HealthSource): Promise<{ close(): void }> {
  try {
    await import('@opentelemetry/api');
  } catch {
    throw new TypeError('opentelemetry is true, and @opentelemetry/api is not installed: npm install @opentelemetry/api (and an SDK, loaded with node --import)');
  }
  const { instrument } = await import('../opentelemetry/index.js');
  return instrument({ verifiers: [verifier] });
}
