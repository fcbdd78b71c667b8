import type { AccessTokenClaims } from '../claims/types.js';
import type { RequireRolesOptions } from '../guards/roles.js';
import { fail } from '../lib/options.js';
import type { VerifierOptions } from '../verifier.js';
import { matching, oneOrMany, presetOptions } from './check.js';

/** The tenants a multi-tenant API trusts: their ids, or a function deciding for each `tid`. */
export type EntraTenants = readonly string[] | ((tid: string) => boolean | Promise<boolean>);

/** The options of {@link entra}: `tenant` for a single-tenant API, or `tenants` for a multi-tenant one. */
export type EntraOptions = EntraApiOptions &
  (
    | {
        /** The directory (tenant) id, a GUID, of a single-tenant API. */
        tenant: string;
        tenants?: never;
      }
    | {
        /**
         * The tenants a multi-tenant API trusts: their ids (GUIDs), or a function deciding for each
         * token's `tid` (see `tenants` of createVerifier: asynchronous answers are remembered).
         * Tokens of other tenants are refused before any key is fetched.
         */
        tenants: EntraTenants;
        tenant?: never;
      }
  );

/** The options of {@link entra} shared by single- and multi-tenant APIs. */
export interface EntraApiOptions {
  /**
   * The `aud` of this API's access tokens: its Application (client) ID for v2 tokens, its
   * Application ID URI (`api://…`) for v1 tokens, as the app registration's manifest decides
   * (`accessTokenAcceptedVersion`). Required.
   */
  audience: string | readonly string[];
  /**
   * The access-token version the API receives: `2` (issuer
   * `https://login.microsoftonline.com/{tenant}/v2.0`) or `1` (issuer
   * `https://sts.windows.net/{tenant}/`).
   * @default 2
   */
  version?: 1 | 2;
}

/** Claims of a Microsoft Entra ID access token (v1 and v2). */
export interface EntraClaims extends AccessTokenClaims {
  /** The tenant the token was issued in. */
  tid: string;
  /** The user's (or service principal's) object id: the stable id across applications. */
  oid: string;
  sub: string;
  /** `1.0` or `2.0`. */
  ver: string;
  /** The client application (v2 tokens). */
  azp?: string;
  /** The client application (v1 tokens). */
  appid?: string;
  /** Delegated scopes, space-separated (read by requireScopes). */
  scp?: string;
  /** App roles assigned to the user or the calling application. */
  roles?: string[];
  /** Group object ids, when the app registration asks for them. */
  groups?: string[];
  name?: string;
  preferred_username?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AUTHORITY = 'https://login.microsoftonline.com';
// Entra's own placeholder, as its multi-tenant metadata writes the issuer.
const ANY_TENANT = '{tenantid}';

// `iss` names a tenant by its id, in lower case, never by a domain such as contoso.onmicrosoft.com.
const tenantId = (name: string, value: unknown): string => matching(name, value, GUID, 'a directory (tenant) id, a GUID').toLowerCase();

function resolveTenants(value: unknown): EntraTenants {
  if (typeof value === 'function') return value as EntraTenants;
  if (!Array.isArray(value) || value.length === 0) fail('tenants', 'a non-empty array of tenant ids or a function (tid) => boolean | Promise<boolean>');
  return [...new Set(value.map((tenant) => tenantId('tenants', tenant)))];
}

/**
 * Options for Microsoft Entra ID access tokens. For a single-tenant API (`tenant`): the
 * tenant's v2 issuer (or v1 with `version: 1`) and key set. For a multi-tenant API (`tenants`):
 * the issuer template `https://login.microsoftonline.com/{tenantid}/v2.0` (or
 * `https://sts.windows.net/{tenantid}/`), which a token matches only when its `iss` names its own
 * `tid` and that tenant is trusted, with the common key set, fetched once for all tenants. ID
 * tokens are refused: access tokens always name their client (`azp` in v2, `appid` in v1), ID
 * tokens never do. App roles are in `roles` ({@link entraRoles}); delegated scopes in `scp`,
 * which `requireScopes` reads. Returns plain {@link VerifierOptions}.
 *
 * @example
 * ```ts
 * import { createVerifier, requireRoles } from 'tokenwarden';
 * import { entra, entraRoles, type EntraClaims } from 'tokenwarden/providers';
 *
 * const verifier = createVerifier<EntraClaims>(
 *   entra({ tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47', audience: 'c7e8a4b1-2f6d-4a3e-9b8c-1d2e3f4a5b6c' }),
 * );
 * const admins = requireRoles('Orders.Admin', entraRoles);
 * ```
 */
export function entra(options: EntraOptions): VerifierOptions {
  const given = presetOptions('entra', options, ['tenant', 'tenants', 'audience', 'version']);
  const version = given.version ?? 2;
  if (version !== 1 && version !== 2) fail('version', '1 or 2');
  if ((given.tenant === undefined) === (given.tenants === undefined)) fail('tenant', 'set for a single-tenant API, or else "tenants" for a multi-tenant one (not both)');
  const tenant = given.tenant === undefined ? ANY_TENANT : tenantId('tenant', given.tenant);
  const audience = oneOrMany('audience', given.audience);
  // One tenant's keys are at its own URL; the common set holds the keys of every tenant.
  const keysOf = given.tenant === undefined ? 'common' : tenant;
  return {
    issuer: version === 2 ? `${AUTHORITY}/${tenant}/v2.0` : `https://sts.windows.net/${tenant}/`,
    ...(given.tenants === undefined ? {} : { tenants: resolveTenants(given.tenants) }),
    audience,
    jwksUri: `${AUTHORITY}/${keysOf}/discovery/${version === 2 ? 'v2.0/' : ''}keys`,
    requiredClaims: [version === 2 ? 'azp' : 'appid'],
  };
}

/** Where {@link requireRoles} finds Entra ID app roles: the `roles` array. */
export const entraRoles: Readonly<RequireRolesOptions> = Object.freeze({ claim: 'roles' });
