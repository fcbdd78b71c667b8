// Bun's entry: serves worker.ts on a free loopback port, then prints the port and where Bun
// resolves `tokenwarden` from the consumer project, as one JSON line.
import worker from './worker.js';

declare const Bun: {
  serve(options: { hostname: string; port: number; fetch(request: Request): Promise<Response> }): { port: number };
};

const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (request) => worker.fetch(request) });
console.log(JSON.stringify({ port: server.port, resolved: import.meta.resolve('tokenwarden') }));
