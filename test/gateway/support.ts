// What the gateway tests share: an upstream that echoes the headers it receives and counts
// requests, and a sidecar config for a test issuer.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkConfig, type GatewayConfig } from '../../src/gateway/config.js';
import type { TestIssuer } from '../../src/testing/index.js';

export interface EchoUpstream {
  readonly address: string;
  /** Requests received so far. */
  count(): number;
  /** The headers of the last request received. */
  last(): IncomingHttpHeaders | undefined;
  close(): Promise<void>;
}

/** A plain upstream on loopback: answers 200 with the request's method, URL and headers as JSON. */
export async function startEchoUpstream(): Promise<EchoUpstream> {
  let count = 0;
  let last: IncomingHttpHeaders | undefined;
  const server: Server = createServer((req, res) => {
    count++;
    last = req.headers;
    const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => count,
    last: () => last,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A checked config for `issuer`, on a free loopback port, with `extra` on top. */
export function configFor(issuer: TestIssuer, extra: Record<string, unknown> = {}): GatewayConfig {
  return checkConfig({
    listen: '127.0.0.1:0',
    verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri },
    logRefusals: true,
    ...extra,
  });
}
