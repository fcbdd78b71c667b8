import type { AccessTokenClaims } from '../claims/types.js';
import type { VerifierOptions } from '../verifier.js';
import { hostName, oneOrMany, pathSegment, presetOptions } from './check.js';

/** The options of {@link okta}. */
export interface OktaOptions {
  /** The Okta domain: `dev-123456.okta.com`, or a custom URL domain. No scheme, no path. Required. */
  domain: string;
  /**
   * The id of the custom authorization server that issues the tokens (Security › API). The org
   * authorization server (issuer `https://{domain}`) is not supported: Okta says its access
   * tokens are for Okta alone to validate.
   * @default 'default'
   */
  authorizationServer?: string;
  /** The authorization server's Audience (`api://default` for the default server). Required. */
  audience: string | readonly string[];
  /**
   * The client(s) whose tokens are accepted, checked against `cid`; by default any client the
   * authorization server issues tokens to for this audience.
   * @default unset (any client)
   */
  clientId?: string | readonly string[];
}

/** Claims of an access token from an Okta custom authorization server. */
export interface OktaClaims extends AccessTokenClaims {
  /** The user's login (`alice@example.com`), or the client id for client-credentials tokens. */
  sub: string;
  /** The client that requested the token. */
  cid: string;
  /** The user's Okta id; absent in client-credentials tokens. */
  uid?: string;
  /** The granted scopes, as an array (read by requireScopes). */
  scp: string[];
  ver: number;
  auth_time?: number;
}

/**
 * Options for access tokens of an Okta custom authorization server: issuer
 * `https://{domain}/oauth2/{authorizationServer}`, its key set at `{issuer}/v1/keys`, and its
 * audience. ID tokens are refused: their audience is the client id. Scopes are in `scp`, which
 * `requireScopes` reads. Returns plain {@link VerifierOptions}: spread them and override anything.
 *
 * @example
 * ```ts
 * import { createVerifier } from 'tokenwarden';
 * import { okta, type OktaClaims } from 'tokenwarden/providers';
 *
 * const verifier = createVerifier<OktaClaims>(okta({ domain: 'dev-123456.okta.com', audience: 'api://default' }));
 * ```
 */
export function okta(options: OktaOptions): VerifierOptions {
  const given = presetOptions('okta', options, ['domain', 'authorizationServer', 'audience', 'clientId']);
  const domain = hostName('domain', given.domain, 'dev-123456.okta.com');
  const server = given.authorizationServer === undefined ? 'default' : pathSegment('authorizationServer', given.authorizationServer);
  const issuer = `https://${domain}/oauth2/${server}`;
  return {
    issuer,
    audience: oneOrMany('audience', given.audience),
    jwksUri: `${issuer}/v1/keys`,
    ...(given.clientId === undefined ? {} : { clientId: oneOrMany('clientId', given.clientId) }),
  };
}
