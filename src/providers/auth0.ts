import type { AccessTokenClaims } from '../claims/types.js';
import type { RequireRolesOptions } from '../guards/roles.js';
import type { VerifierOptions } from '../verifier.js';
import { hostName, oneOrMany, presetOptions } from './check.js';

/** The options of {@link auth0}. */
export interface Auth0Options {
  /**
   * The tenant's domain, as it appears in its issuer: `my-tenant.us.auth0.com`, or a custom
   * domain (`login.example.com`) if tokens are issued there. No scheme, no path. Required.
   */
  domain: string;
  /** The API Identifier(s) of this API in Auth0 (Applications › APIs), e.g. `https://orders.example.com`. Required. */
  audience: string | readonly string[];
}

/** Claims of an Auth0 access token (Auth0 token profile, RBAC with "Add Permissions in the Access Token"). */
export interface Auth0Claims extends AccessTokenClaims {
  /** The user (`auth0|…`, `google-oauth2|…`) or, for client-credentials tokens, `{client_id}@clients`. */
  sub: string;
  /** The API, plus `https://{domain}/userinfo` when `openid` was requested. */
  aud: string | string[];
  /** The application that requested the token. */
  azp?: string;
  /** The user's RBAC permissions for this API. */
  permissions?: string[];
  /** `client-credentials` for machine-to-machine tokens. */
  gty?: string;
  /** The organization the user logged in through, with Auth0 Organizations. */
  org_id?: string;
}

/**
 * Options for Auth0 access tokens: issuer `https://{domain}/` (with the trailing slash Auth0
 * writes), the tenant's key set at `https://{domain}/.well-known/jwks.json`, and the API's
 * audience. ID tokens are refused: their audience is the application's client id.
 * Returns plain {@link VerifierOptions}: spread them and override anything.
 *
 * @example
 * ```ts
 * import { createVerifier, requireRoles } from 'tokenwarden';
 * import { auth0, auth0Permissions, type Auth0Claims } from 'tokenwarden/providers';
 *
 * const verifier = createVerifier<Auth0Claims>(auth0({ domain: 'my-tenant.us.auth0.com', audience: 'https://orders.example.com' }));
 * const canDelete = requireRoles('delete:orders', auth0Permissions);
 * ```
 */
export function auth0(options: Auth0Options): VerifierOptions {
  const given = presetOptions('auth0', options, ['domain', 'audience']);
  const domain = hostName('domain', given.domain, 'my-tenant.us.auth0.com');
  return {
    issuer: `https://${domain}/`,
    audience: oneOrMany('audience', given.audience),
    jwksUri: `https://${domain}/.well-known/jwks.json`,
  };
}

/** Where {@link requireRoles} finds Auth0 RBAC permissions: the `permissions` array. */
export const auth0Permissions: Readonly<RequireRolesOptions> = Object.freeze({ claim: 'permissions' });
