/**
 * Settles as `promise` does, or rejects with `reason()` once `ms` milliseconds pass first. The
 * timer is cleared as soon as either settles, so a fast answer leaves nothing scheduled.
 *
 * `reason` is called only when the timer wins: building an error (and its stack) on every call
 * would cost the fast path for nothing.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, reason: () => unknown): Promise<T> {
  // A rejection that arrives after the timer's verdict is expected, never unhandled.
  promise.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(reason()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
