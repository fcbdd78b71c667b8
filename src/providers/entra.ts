import type { AccessTokenClaims } from '../claims/types.js';
import type { RequireRolesOptions } from '../guards/roles.js';
import { fail } from '../lib/options.js';
import type { VerifierOptions } from '../verifier.js';
import { matching, oneOrMany, presetOptions } from './check.js';

/** The options of {@link entra}. */
export interface EntraOptions {
  /** The directory (tenant) id, a GUID, of a single-tenant API. Required. */
  tenant: string;
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

/**
 * Options for Microsoft Entra ID access tokens of a single-tenant API: the tenant's v2 issuer
 * (or v1 with `version: 1`), the tenant's key set, and the API's audience. ID tokens are
 * refused: access tokens always name their client (`azp` in v2, `appid` in v1), ID tokens
 * never do. App roles are in `roles` ({@link entraRoles}); delegated scopes in `scp`, which
 * `requireScopes` reads. Returns plain {@link VerifierOptions}.
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
  const given = presetOptions('entra', options, ['tenant', 'audience', 'version']);
  const version = given.version ?? 2;
  if (version !== 1 && version !== 2) fail('version', '1 or 2');
  // `iss` names the tenant by its id, never by a domain name such as contoso.onmicrosoft.com.
  const tenant = matching('tenant', given.tenant, GUID, 'the directory (tenant) id, a GUID').toLowerCase();
  const audience = oneOrMany('audience', given.audience);
  return {
    issuer: version === 2 ? `${AUTHORITY}/${tenant}/v2.0` : `https://sts.windows.net/${tenant}/`,
    audience,
    jwksUri: `${AUTHORITY}/${tenant}/discovery/${version === 2 ? 'v2.0/' : ''}keys`,
    requiredClaims: [version === 2 ? 'azp' : 'appid'],
  };
}

/** Where {@link requireRoles} finds Entra ID app roles: the `roles` array. */
export const entraRoles: Readonly<RequireRolesOptions> = Object.freeze({ claim: 'roles' });
