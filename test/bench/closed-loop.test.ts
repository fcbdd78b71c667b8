import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closedLoop } from '../../bench/closed-loop.js';

// The end-to-end benchmark's load generator counts answers by their Content-Length: it must
// count every one, tell 2xx from the rest, and find answers split across reads.
describe('the closed-loop load generator', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('counts every answer and the non-2xx ones, over pipelined and split reads', async () => {
    let served = 0;
    let refused = 0;
    const seen = new Set<string>();
    const server = createServer((request, response) => {
      served++;
      seen.add(request.headers.authorization ?? '');
      const ok = request.headers.authorization !== 'Bearer refuse';
      if (!ok) refused++;
      // Bodies of several lengths, one long enough to arrive in more than one read.
      const body = 'x'.repeat(served % 3 === 0 ? 70_000 : served % 7);
      response.writeHead(ok ? 200 : 401, { 'content-length': Buffer.byteLength(body) });
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => new Promise((resolve) => server.close(() => resolve()));
    const { port } = server.address() as AddressInfo;

    const result = await closedLoop({ port, path: '/x', connections: 4, depth: 3, seconds: 0.3, authorizations: ['Bearer a', 'Bearer refuse', 'Bearer b'] });

    expect(result.answered).toBe(served);
    expect(result.non2xx).toBe(refused);
    expect(refused).toBeGreaterThan(0);
    expect(result.requests).toBeGreaterThan(0);
    expect(result.requests).toBeLessThanOrEqual(result.answered);
    expect(result.latencies.length).toBe(result.answered);
    expect([...seen].sort()).toEqual(['Bearer a', 'Bearer b', 'Bearer refuse']);
  });
});
