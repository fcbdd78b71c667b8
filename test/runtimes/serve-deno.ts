// Deno's entry: serves worker.ts on a free loopback port, then prints the port and where Deno
// resolves `tokenwarden` from the consumer project, as one JSON line.
import worker from './worker.js';

declare const Deno: {
  serve(
    options: { hostname: string; port: number; onListen(address: { port: number }): void },
    handler: (request: Request) => Promise<Response>,
  ): unknown;
};

Deno.serve(
  {
    hostname: '127.0.0.1',
    port: 0,
    onListen: ({ port }) => console.log(JSON.stringify({ port, resolved: import.meta.resolve('tokenwarden') })),
  },
  (request) => worker.fetch(request),
);
