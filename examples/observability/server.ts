// A node:http service with OpenTelemetry metrics and traces and pino logs, all from
// tokenwarden's diagnostics channels: run with `npx tsx examples/observability/server.ts`.
// It sends a few requests (accepted, refused, during a key-set outage), prints the log lines
// and what the exporters received, and exits.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { pino } from 'pino';
import { createVerifier, requireScopes } from '../../src/index.js';
import { createAuth } from '../../src/adapters/node.js';
import { instrument } from '../../src/opentelemetry/index.js';
import { createTestIssuer } from '../../src/testing/index.js';
import { logFromChannels, requests } from './logging.js';
import { startTelemetry } from './telemetry.js';

async function main(): Promise<void> {
  const telemetry = startTelemetry();
  const log = pino({ base: { service: 'orders-api' }, timestamp: pino.stdTimeFunctions.isoTime });
  const issuer = await createTestIssuer({ audience: 'orders-api' });
  // No cooldown, so that the outage below is met by a fetch at once rather than by the cooldown.
  const verifier = createVerifier({ issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri, jwks: { cooldown: 0 } });
  // Global providers from startTelemetry(); the verifier is listed for tokenwarden.jwks.age.
  const instrumentation = instrument({ verifiers: [verifier] });
  const stopLogs = logFromChannels(log);

  const auth = createAuth({
    verifier,
    errorResponse(answer, req, res) {
      // A refusal of the verification itself was logged from the channel; this one came after
      // it (a guard) or before it (no token), and names the client when it was verified.
      const record = requests.getStore();
      if (record?.logged !== true) {
        const { issuer: iss, clientId } = record?.verified ?? {};
        log.warn({ event: 'request_refused', code: answer.error?.code ?? answer.body.error, status: answer.status, issuer: iss, clientId, path: req.url }, answer.body.error_description);
      }
      res.writeHead(answer.status, { ...answer.headers, 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    },
  });
  const listOrders = auth.protect((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ client: req.auth.client_id, orders: [] }));
  }, requireScopes('orders:read'));
  const ready = auth.ready();

  const tracer = trace.getTracer('orders-api');
  const route = (req: IncomingMessage, res: ServerResponse): Promise<void> | void =>
    req.url === '/internal/ready' ? ready(req, res) : listOrders(req, res);
  // Each request runs in a server span (what HTTP instrumentation would start) and with its own
  // log record; tokenwarden's spans become its children.
  const server = createServer((req, res) => {
    void requests.run({}, () =>
      tracer.startActiveSpan(`${req.method} ${req.url}`, async (span) => {
        try {
          await route(req, res);
        } finally {
          if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          span.setAttribute('http.response.status_code', res.statusCode);
          span.end();
        }
      }),
    );
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const seen: [string, number, number][] = [];
  async function call(label: string, expected: number, token?: string, path = '/orders'): Promise<void> {
    const response = await fetch(`${origin}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
    await response.arrayBuffer();
    seen.push([label, expected, response.status]);
  }

  try {
    const reader = await issuer.sign({ client_id: 'orders-web', scope: 'orders:read' });
    await call('with orders:read', 200, reader);
    await call('the same token again', 200, reader);
    await call('without a token', 401);
    await call('expired', 401, await issuer.sign({ client_id: 'orders-web', scope: 'orders:read', exp: Math.floor(Date.now() / 1000) - 60 }));
    await call('without the scope', 403, await issuer.sign({ client_id: 'reporting', scope: 'reports:read' }));
    const tampered = await issuer.sign({ scope: 'orders:read' });
    await call('tampered', 401, `${tampered.slice(0, -2)}${tampered.at(-2) === 'A' ? 'B' : 'A'}${tampered.slice(-1)}`);

    // The issuer rotates its key and goes down: a token with the new kid cannot be verified.
    await issuer.rotate({ keepOld: true });
    const rotated = await issuer.sign({ client_id: 'orders-web', scope: 'orders:read' });
    issuer.override({ status: 500, body: 'upstream down' });
    await call('new key, issuer down', 503, rotated);
    issuer.override(undefined);
    await call('new key, issuer back', 200, rotated);
    await call('readiness', 200, undefined, '/internal/ready');

    const report = await telemetry.report();
    console.log(`\nWhat the exporters received (${report.length} spans and data points):`);
    for (const line of report) console.log(`  ${line}`);
    console.log('\nRequests:');
    for (const [label, expected, status] of seen) console.log(`  ${label.padEnd(24)} ${status}${status === expected ? '' : ` (expected ${expected})`}`);
    if (seen.some(([, expected, status]) => expected !== status)) throw new Error('a request was not answered as expected');
  } finally {
    stopLogs();
    instrumentation.close();
    server.closeAllConnections();
    server.close();
    await issuer.close();
    await telemetry.shutdown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
