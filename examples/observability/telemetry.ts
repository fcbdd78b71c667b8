// The OpenTelemetry SDK as a service would set it up, exporting to memory so that the example
// can print what an exporter would send. In production, put OTLP exporters in their place
// (@opentelemetry/exporter-trace-otlp-http and …-metrics-otlp-http) or use @opentelemetry/sdk-node.
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface Telemetry {
  /** Prints what was exported, one line per span and per metric data point. */
  report(): Promise<string[]>;
  shutdown(): Promise<void>;
}

/** Registers global meter and tracer providers and the context manager that parents spans. */
export function startTelemetry(): Telemetry {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);

  const describe = (attributes: Record<string, unknown>): string =>
    Object.entries(attributes)
      .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
      .join(' ');

  return {
    async report() {
      const lines: string[] = [];
      const names = new Map(spans.getFinishedSpans().map((span) => [span.spanContext().spanId, span.name]));
      for (const span of spans.getFinishedSpans()) {
        const parent = span.parentSpanContext === undefined ? '' : ` (in ${names.get(span.parentSpanContext.spanId) ?? 'another span'})`;
        const status = span.status.code === 2 ? ` ERROR ${span.status.message ?? ''}` : '';
        lines.push(`span   ${span.name}${parent}${status} ${describe(span.attributes)}`);
      }
      await reader.forceFlush();
      const last = metricExporter.getMetrics().at(-1);
      for (const metric of last?.scopeMetrics.flatMap((scope) => scope.metrics) ?? []) {
        for (const point of metric.dataPoints) {
          const value = typeof point.value === 'number' ? point.value.toFixed(metric.descriptor.unit === 's' ? 1 : 0) : `count=${(point.value as { count: number }).count}`;
          lines.push(`metric ${metric.descriptor.name} ${value} ${metric.descriptor.unit} ${describe(point.attributes)}`);
        }
      }
      return lines;
    },
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
      trace.disable();
      metrics.disable();
      context.disable();
    },
  };
}
