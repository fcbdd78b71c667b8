// The two steps every hand-made test server takes: listen on a free loopback port, and close
// without waiting for idle keep-alive sockets (a client's pool would otherwise hold close() open).
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** Listens on 127.0.0.1 at a free port and resolves with the port. */
export const listen = (server: HttpServer | HttpsServer): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

/** Cuts every connection and stops listening; resolves at once for a server never made. */
export const close = (server: HttpServer | HttpsServer | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (server === undefined) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });
