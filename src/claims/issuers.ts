// Which configured issuer a token comes from: its `iss` exactly, or an issuer template
// (`https://login.microsoftonline.com/{tenantid}/v2.0`) filled with the token's own `tid`, for a
// tenant the `tenants` option trusts. Decided before any key is looked up, so an untrusted
// issuer or tenant never causes a fetch.
import { AccessTokenError } from '../errors.js';
import { fail, stringList, unusable } from '../lib/options.js';
import { isPlausibleTenantId, resolveTenants, type TenantDecision } from './tenants.js';

/** Entra ID's placeholder, as its multi-tenant metadata publishes it in `issuer`. */
export const TENANT_PLACEHOLDER = '{tenantid}';

/** An issuer entry with {@link TENANT_PLACEHOLDER}: what comes before and after it. */
export interface IssuerTemplate {
  readonly template: string;
  readonly prefix: string;
  readonly suffix: string;
}

/** The `issuer` and `tenants` options, resolved. */
export interface ResolvedIssuers {
  /** Every configured entry, templates included, de-duplicated, in the configured order. */
  readonly issuers: readonly string[];
  readonly templates: readonly IssuerTemplate[];
  /** Set exactly when there are templates. */
  readonly tenants: TenantDecision | undefined;
}

export function resolveIssuers(issuer: unknown, tenants: unknown): ResolvedIssuers {
  const issuers = stringList('issuer', issuer);
  const templates: IssuerTemplate[] = [];
  for (const entry of issuers) {
    const at = entry.indexOf(TENANT_PLACEHOLDER);
    if (at === -1) continue;
    if (entry.indexOf(TENANT_PLACEHOLDER, at + 1) !== -1) unusable('issuer', `${JSON.stringify(entry)} has ${TENANT_PLACEHOLDER} more than once`);
    templates.push({ template: entry, prefix: entry.slice(0, at), suffix: entry.slice(at + TENANT_PLACEHOLDER.length) });
  }
  if (templates.length === 0) {
    if (tenants !== undefined) unusable('tenants', `applies to issuer templates only (an issuer containing ${TENANT_PLACEHOLDER})`);
    return { issuers, templates, tenants: undefined };
  }
  // A template with no tenant list would trust every tenant of a multi-tenant service: anyone
  // can create one.
  if (tenants === undefined) fail('tenants', `set when an issuer contains ${TENANT_PLACEHOLDER}: a list of tenant ids or a function`);
  return { issuers, templates, tenants: resolveTenants(tenants) };
}

const untrustedIssuer = (): AccessTokenError =>
  new AccessTokenError('issuer_invalid', 'token was issued by an issuer this verifier does not trust');

/**
 * Answers, for a token's claims, the entry of `byIssuer` for its issuer: synchronous for an
 * exact issuer, a promise only while an asynchronous tenant predicate decides.
 */
export function createIssuerSelector<T>(
  resolved: ResolvedIssuers,
  byIssuer: ReadonlyMap<string, T>,
): (payload: Record<string, unknown>) => T | Promise<T> {
  const { templates, tenants } = resolved;
  const names = new Set(templates.map(({ template }) => template));
  return (payload) => {
    const { iss } = payload;
    if (iss === undefined) throw new AccessTokenError('issuer_invalid', 'token has no "iss" claim');
    if (typeof iss !== 'string') throw new AccessTokenError('claim_invalid', '"iss" claim must be a string');
    const exact = byIssuer.get(iss);
    // A token whose `iss` is a template itself, placeholder and all, matched no tenant.
    if (exact !== undefined && (tenants === undefined || !names.has(iss))) return exact;
    if (tenants === undefined) throw untrustedIssuer();
    const fitting = templates.filter(({ prefix, suffix }) => iss.length > prefix.length + suffix.length && iss.startsWith(prefix) && iss.endsWith(suffix));
    if (fitting.length === 0) throw untrustedIssuer();
    const { tid } = payload;
    if (tid === undefined) throw new AccessTokenError('issuer_invalid', 'token has no "tid" claim, which its issuer template requires');
    if (!isPlausibleTenantId(tid)) throw new AccessTokenError('issuer_invalid', 'token\'s "tid" claim is not a tenant id');
    // The tenant is the token's own `tid`, and `iss` must be exactly its issuer: a token of
    // tenant A that says it is of tenant B is nobody's.
    const template = fitting.find(({ prefix, suffix }) => iss === prefix + tid + suffix);
    if (template === undefined) throw new AccessTokenError('issuer_invalid', 'token\'s "iss" is not the issuer of its "tid" tenant');
    const entry = byIssuer.get(template.template) as T;
    const trusted = tenants(tid);
    if (trusted === true) return entry;
    if (trusted === false) throw untrustedTenant();
    return trusted.then((answer) => {
      if (!answer) throw untrustedTenant();
      return entry;
    });
  };
}

const untrustedTenant = (): AccessTokenError =>
  new AccessTokenError('issuer_invalid', 'token was issued for a tenant this verifier does not trust');
