import type { AccessTokenClaims } from '../claims/types.js';
import type { RequireRolesOptions } from '../guards/roles.js';
import { fail } from '../lib/options.js';
import type { VerifierOptions } from '../verifier.js';
import { oneOrMany, pathSegment, presetOptions } from './check.js';

/** The options of {@link keycloak}. */
export interface KeycloakOptions {
  /**
   * Where Keycloak is served, as its tokens name it: `https://sso.example.com`, or with the
   * `/auth` path of Keycloak before version 17. http is accepted for local development. Required.
   */
  baseUrl: string;
  /** The realm. Required. */
  realm: string;
  /**
   * The client(s) whose tokens are accepted, checked against `client_id` or, in the tokens
   * Keycloak issues to users, `azp`: the client that asked for the token (a front end, say),
   * not this API. Keycloak's default access tokens carry `aud: "account"`, or none. Required.
   */
  clientId: string | readonly string[];
  /**
   * An audience to require as well, once an audience mapper puts this API in `aud`.
   * @default unset (`aud` not checked)
   */
  audience?: string | readonly string[];
}

/** Roles granted in one realm or one client: `{ roles: [...] }`. */
export interface KeycloakAccess {
  roles: string[];
}

/** Claims of a Keycloak access token. */
export interface KeycloakClaims extends AccessTokenClaims {
  sub: string;
  /** `Bearer` in access tokens (`ID` in ID tokens, which are refused). */
  typ: 'Bearer';
  /** The client that asked for the token. */
  azp: string;
  /** Realm roles ({@link keycloakRealmRoles}). */
  realm_access?: KeycloakAccess;
  /** Client roles, by client id ({@link keycloakClientRoles}). */
  resource_access?: Record<string, KeycloakAccess>;
  /** Space-separated scopes (read by requireScopes). */
  scope?: string;
  sid?: string;
  preferred_username?: string;
  email?: string;
  email_verified?: boolean;
}

function baseUrlOf(value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '' || url.hash !== '' || url.username !== '') {
    fail('baseUrl', 'an http(s) URL without query, fragment or credentials, such as "https://sso.example.com"');
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/**
 * Options for Keycloak access tokens: issuer `{baseUrl}/realms/{realm}`, the realm's
 * `/protocol/openid-connect/certs`, the accepted client(s) (`client_id`, else `azp`), and
 * `typ: "Bearer"`, the claim by which Keycloak tells access tokens from ID (`"ID"`) and refresh
 * tokens. Realm roles: {@link keycloakRealmRoles}; a client's roles:
 * {@link keycloakClientRoles}. Returns plain {@link VerifierOptions}.
 *
 * @example
 * ```ts
 * import { createVerifier, requireRoles } from 'tokenwarden';
 * import { keycloak, keycloakClientRoles, type KeycloakClaims } from 'tokenwarden/providers';
 *
 * const verifier = createVerifier<KeycloakClaims>(
 *   keycloak({ baseUrl: 'https://sso.example.com', realm: 'shop', clientId: 'orders.web' }),
 * );
 * const admins = requireRoles('orders-admin', keycloakClientRoles('orders.api'));
 * ```
 */
export function keycloak(options: KeycloakOptions): VerifierOptions {
  const given = presetOptions('keycloak', options, ['baseUrl', 'realm', 'clientId', 'audience']);
  const issuer = `${baseUrlOf(given.baseUrl)}/realms/${pathSegment('realm', given.realm)}`;
  const clientId = oneOrMany('clientId', given.clientId);
  return {
    issuer,
    jwksUri: `${issuer}/protocol/openid-connect/certs`,
    clientId,
    ...(given.audience === undefined ? {} : { audience: oneOrMany('audience', given.audience) }),
    expectClaims: { typ: 'Bearer' },
  };
}

/** Where {@link requireRoles} finds Keycloak realm roles: `realm_access.roles`. */
export const keycloakRealmRoles: Readonly<RequireRolesOptions> = Object.freeze({ claim: Object.freeze(['realm_access', 'roles']) });

/**
 * Where {@link requireRoles} finds the roles of one Keycloak client: `resource_access.{clientId}.roles`,
 * as path segments, so a client id with dots (`orders.api`) is one segment.
 */
export function keycloakClientRoles(clientId: string): Readonly<RequireRolesOptions> {
  if (typeof clientId !== 'string' || clientId === '') fail('clientId', 'a non-empty string');
  return Object.freeze({ claim: Object.freeze(['resource_access', clientId, 'roles']) });
}
