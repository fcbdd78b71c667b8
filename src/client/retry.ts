// Bounded retries with exponential backoff and jitter, for failures that may pass.

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly retries: number;
  /** Seconds before the first retry; doubled for each next one. */
  readonly retryDelay: number;
}

/**
 * Milliseconds to wait before retry number `retry` (0 for the first): the doubled delay, jittered
 * down by up to half so that clients failing together do not retry together.
 */
export function backoff(policy: RetryPolicy, retry: number): number {
  return policy.retryDelay * 1000 * 2 ** retry * (1 - Math.random() / 2);
}

/** Runs `attempt`, retrying while `retryable(error)` holds, up to `policy.retries` times. */
export async function withRetries<T>(attempt: () => Promise<T>, policy: RetryPolicy, retryable: (error: unknown) => boolean): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (error) {
      if (retry >= policy.retries || !retryable(error)) throw error;
      const wait = backoff(policy, retry);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
