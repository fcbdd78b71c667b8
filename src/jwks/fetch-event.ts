// The `tokenwarden:jwks:fetch` event of one key-set fetch: what the attempt learnt on its way,
// and the kids it added and removed.
import type { JwksFetchEvent, JwksFetchReason, JwksMetadataReading } from '../events/jwks.js';
import type { VerificationKey } from '../token/signature.js';
import type { KeySet } from './key-set.js';

/** What one fetch attempt learnt on its way, for its `tokenwarden:jwks:fetch` event. */
export interface Attempt {
  url: URL | undefined;
  status: number | undefined;
  metadata: JwksMetadataReading;
  moved: { readonly from: string; readonly to: string } | undefined;
  set: KeySet | undefined;
}

/** The distinct kids of `keys`, in order; keys without one are not named. */
export function kidsOf(keys: Iterable<VerificationKey>): string[] {
  const kids = new Set<string>();
  for (const key of keys) if (key.kid !== undefined) kids.add(key.kid);
  return [...kids];
}

/** The `tokenwarden:jwks:fetch` event of an attempt that has ended (`error` unset on success). */
export function fetchEvent(
  issuer: string,
  reason: JwksFetchReason,
  attempt: Attempt,
  previous: KeySet | undefined,
  durationMs: number,
  error: Error | undefined,
): JwksFetchEvent {
  const { set } = attempt;
  const succeeded = error === undefined && set !== undefined;
  const newIn = (from: KeySet, against: KeySet | undefined): string[] =>
    kidsOf([...from.keys].filter((key) => against?.byIdentity.has(key.identity) !== true));
  return {
    issuer,
    url: attempt.url?.href,
    reason,
    status: attempt.status,
    durationMs,
    keys: succeeded ? set.size : undefined,
    added: succeeded ? newIn(set, previous) : undefined,
    removed: succeeded ? (previous === undefined ? [] : newIn(previous, set)) : undefined,
    skipped: set?.skipped,
    metadata: attempt.metadata,
    moved: attempt.moved,
    error,
  };
}
