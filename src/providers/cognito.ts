import type { AccessTokenClaims } from '../claims/types.js';
import type { RequireRolesOptions } from '../guards/roles.js';
import { fail, oneOf } from '../lib/options.js';
import type { VerifierOptions } from '../verifier.js';
import { matching, oneOrMany, presetOptions } from './check.js';

/** The options of {@link cognito}. */
export interface CognitoOptions {
  /** The user pool id, `{region}_{id}` (e.g. `eu-west-1_AbC123dEf`). Required. */
  userPoolId: string;
  /** The pool's AWS region; it must be the one the pool id begins with. @default the pool id's */
  region?: string;
  /**
   * The app client id(s) whose tokens are accepted: checked against `client_id` in access
   * tokens (which have no `aud`), against `aud` in ID tokens. Required.
   */
  clientId: string | readonly string[];
  /**
   * Which Cognito token this API accepts: `'access'` (for APIs), or `'id'` for back ends that
   * receive ID tokens. The other kind is refused, through the `token_use` claim.
   * @default 'access'
   */
  tokenUse?: 'access' | 'id';
}

/** Claims of an Amazon Cognito user pool access token. */
export interface CognitoAccessTokenClaims extends AccessTokenClaims {
  /** The user's id in the pool (a UUID). */
  sub: string;
  token_use: 'access';
  /** The app client. */
  client_id: string;
  /** The user's name in the pool; absent in client-credentials (machine-to-machine) tokens. */
  username?: string;
  /** Space-separated scopes (read by requireScopes). */
  scope?: string;
  /** The user's groups ({@link cognitoGroups}). */
  'cognito:groups'?: string[];
  auth_time?: number;
  origin_jti?: string;
  event_id?: string;
  version?: number;
}

/** Claims of an Amazon Cognito user pool ID token. */
export interface CognitoIdTokenClaims extends AccessTokenClaims {
  sub: string;
  token_use: 'id';
  /** The app client. */
  aud: string;
  'cognito:username': string;
  'cognito:groups'?: string[];
  email?: string;
  email_verified?: boolean;
  auth_time: number;
}

const POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d+)_[0-9a-zA-Z]+$/;

/**
 * Options for Amazon Cognito user pool tokens: issuer
 * `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`, the pool's
 * `/.well-known/jwks.json`, the app client(s), and `token_use` (`access` unless told `id`), so
 * that the other kind of token is refused. Groups are in `cognito:groups`
 * ({@link cognitoGroups}); scopes in `scope`. Returns plain {@link VerifierOptions}.
 *
 * @example
 * ```ts
 * import { createVerifier, requireRoles } from 'tokenwarden';
 * import { cognito, cognitoGroups, type CognitoAccessTokenClaims } from 'tokenwarden/providers';
 *
 * const verifier = createVerifier<CognitoAccessTokenClaims>(
 *   cognito({ userPoolId: 'eu-west-1_AbC123dEf', clientId: '4example8fjt2p7cb9nlvd1kq6' }),
 * );
 * const admins = requireRoles('admin', cognitoGroups);
 * ```
 */
export function cognito(options: CognitoOptions): VerifierOptions {
  const given = presetOptions('cognito', options, ['userPoolId', 'region', 'clientId', 'tokenUse']);
  const userPoolId = matching('userPoolId', given.userPoolId, POOL_ID, 'a user pool id such as "eu-west-1_AbC123dEf"');
  const region = (POOL_ID.exec(userPoolId) as RegExpExecArray)[1] as string;
  if (given.region !== undefined && given.region !== region) fail('region', `the region the user pool id begins with ("${region}")`);
  const clientId = oneOrMany('clientId', given.clientId);
  const tokenUse = oneOf('tokenUse', given.tokenUse, ['access', 'id'], 'access');
  const issuer = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
  return {
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    // Access tokens name their client in `client_id` and have no `aud`; ID tokens name it in `aud`.
    ...(tokenUse === 'access' ? { clientId } : { audience: clientId }),
    expectClaims: { token_use: tokenUse },
  };
}

/** Where {@link requireRoles} finds Cognito groups: `cognito:groups`. */
export const cognitoGroups: Readonly<RequireRolesOptions> = Object.freeze({ claim: Object.freeze(['cognito:groups']) });
