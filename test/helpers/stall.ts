// A synchronous stall of the event loop, as a busy or starved process has: nothing runs, no I/O
// is read and no timer fires until it ends, while other processes (Redis, an issuer) carry on.

/** Blocks this thread for `ms` milliseconds of wall time. */
export function stallEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy on purpose: the point is that nothing else in this process may run.
  }
}
