// Which tenants of an issuer template are trusted (the `tenants` option): a list, or a predicate
// whose asynchronous answers are remembered for a while so that a flood of tokens from one
// tenant asks it once.
import { fail } from '../lib/options.js';

/** The `tenants` option: the trusted tenant ids, or a function deciding for each. */
export type TenantTrust = readonly string[] | ((tid: string) => boolean | Promise<boolean>);

/** Decides whether a tenant is trusted: synchronously when it can. Never rejects. */
export type TenantDecision = (tid: string) => boolean | Promise<boolean>;

/** Asynchronous answers are remembered this long (seconds) and for this many tenants at most. */
export const TENANT_ANSWER_SECONDS = 60;
export const MAX_TENANT_ANSWERS = 1000;

// An Entra tenant id is a GUID, and a verified domain name (which tokens never carry as `tid`,
// but users configure) is at most 253 letters, digits, hyphens and dots (RFC 1035 §2.3.4). The
// id is placed in an issuer URL, so anything that could change the URL's shape (`/`, `?`, `#`,
// `%`, `@`, `:`) is refused.
const TENANT_ID = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})$/;

/** True for a string that can be an Entra tenant id or verified domain. */
export function isPlausibleTenantId(value: unknown): value is string {
  return typeof value === 'string' && TENANT_ID.test(value);
}

interface Remembered {
  readonly answer: boolean | Promise<boolean>;
  readonly until: number;
}

/** Checks the `tenants` option and returns how a tenant is decided. */
export function resolveTenants(value: unknown): TenantDecision {
  if (typeof value === 'function') return rememberAnswers(value as (tid: string) => unknown);
  if (!Array.isArray(value) || value.length === 0 || !value.every(isPlausibleTenantId)) {
    fail('tenants', 'a non-empty array of tenant ids (letters, digits, "-" and "."), or a function (tid) => boolean | Promise<boolean>');
  }
  const trusted = new Set<string>(value);
  return (tid) => trusted.has(tid);
}

/**
 * A sync answer is used as it is (the predicate may read state that changes). An async one is
 * remembered for {@link TENANT_ANSWER_SECONDS}, the oldest forgotten first past
 * {@link MAX_TENANT_ANSWERS}; concurrent tokens of one tenant share the pending answer. Only
 * `true` trusts; a throw or rejection refuses and is not remembered.
 */
function rememberAnswers(predicate: (tid: string) => unknown): TenantDecision {
  const answers = new Map<string, Remembered>();
  return (tid) => {
    const now = Date.now();
    const known = answers.get(tid);
    if (known !== undefined && now < known.until) return known.answer;
    let answer: unknown;
    try {
      answer = predicate(tid);
    } catch {
      return false;
    }
    if (!(answer instanceof Promise)) return answer === true;
    const pending = answer.then(
      (trusted: unknown) => {
        const decided = trusted === true;
        if (answers.get(tid)?.answer === pending) answers.set(tid, { answer: decided, until: Date.now() + TENANT_ANSWER_SECONDS * 1000 });
        return decided;
      },
      () => {
        if (answers.get(tid)?.answer === pending) answers.delete(tid);
        return false;
      },
    );
    answers.delete(tid);
    answers.set(tid, { answer: pending, until: now + TENANT_ANSWER_SECONDS * 1000 });
    if (answers.size > MAX_TENANT_ANSWERS) answers.delete(answers.keys().next().value as string);
    return pending;
  };
}
