// Timeouts on the hot path (a Redis reply, a revocation checker, a key-set fetch) decide that
// the other side did not answer. After the process stalls (a busy or starved machine), a timer
// that fell due during the stall runs before the I/O that arrived meanwhile is read, and a
// request that was still queued in this process was never even sent: a reply on its way would
// be taken for no reply. So a verdict here waits for one pass over the pending I/O first, and a
// timer that fired later than its own length (the stall alone outlasted it) gives the peer one
// more full period. A timeout means the peer was silent, not that we had not looked yet.

/**
 * Runs `callback` after the event loop has next polled for I/O: through `setImmediate` on Node
 * (the check phase follows the poll phase), through a zero timer where there is none.
 */
const afterPendingIo: (callback: () => void) => void =
  typeof setImmediate === 'function'
    ? (callback) => {
        setImmediate(callback);
      }
    : (callback) => {
        setTimeout(callback, 0);
      };

/**
 * Calls `expire` once `ms` milliseconds have passed with the loop able to look at the answer;
 * returns the function that cancels it. Lateness is read on the monotonic clock, so a change
 * of the wall clock is never taken for a stall.
 */
function patientTimer(ms: number, expire: () => void, keepAlive: boolean): () => void {
  let cancelled = false;
  let extended = false;
  let timer: ReturnType<typeof setTimeout>;
  const arm = (): void => {
    const due = performance.now() + ms;
    timer = setTimeout(() => {
      if (!extended && performance.now() - due > ms) {
        extended = true;
        arm();
        return;
      }
      afterPendingIo(() => {
        if (!cancelled) expire();
      });
    }, ms);
    if (!keepAlive) (timer as { unref?: () => void }).unref?.();
  };
  arm();
  return () => {
    cancelled = true;
    clearTimeout(timer);
  };
}

/**
 * Settles as `promise` does, or rejects with `reason()` once `ms` milliseconds have passed
 * without an answer (see above for what a stalled process counts). The timer is cleared as
 * soon as either settles, so a fast answer leaves nothing scheduled.
 *
 * `reason` is called only when the timer wins: building an error (and its stack) on every call
 * would cost the fast path for nothing.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, reason: () => unknown): Promise<T> {
  // A rejection that arrives after the timer's verdict is expected, never unhandled.
  promise.catch(() => undefined);
  let cancel: (() => void) | undefined;
  const timeout = new Promise<never>((_, reject) => {
    // Kept alive like any pending answer: a caller awaiting it must hear the verdict.
    cancel = patientTimer(ms, () => reject(reason()), true);
  });
  return Promise.race([promise, timeout]).finally(() => cancel?.());
}

/** An abort signal for one operation, and the way to stop its timer once the operation is over. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Stops the timer; call it when the operation settles. */
  clear(): void;
}

/**
 * A signal that aborts (with a `TimeoutError`) once `ms` milliseconds have passed without an
 * answer: `AbortSignal.timeout` with the same patience for a stalled process.
 */
export function deadline(ms: number): Deadline {
  const controller = new AbortController();
  // Like AbortSignal.timeout, it does not keep the process alive: the operation it bounds does.
  const clear = patientTimer(ms, () => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), false);
  return { signal: controller.signal, clear };
}

/**
 * Settles as `promise`, or rejects as soon as `signal` aborts, whichever comes first: a
 * user-supplied fetch may ignore the signal, and every caller waiting on it would wait with it.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
