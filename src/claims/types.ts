/**
 * The claims of a verified access token (RFC 9068 §2.2). `iss`, `aud` and `exp` are always
 * present and checked; the rest are typed as issuers usually send them. Extend it with your
 * own claims through the generic parameter of `createVerifier` or `verifyAccessToken`.
 */
export interface AccessTokenClaims {
  iss: string;
  aud: string | string[];
  exp: number;
  sub?: string;
  iat?: number;
  nbf?: number;
  jti?: string;
  client_id?: string;
  /** Space-delimited scopes (RFC 9068 §2.2.3.1). */
  scope?: string;
  [claim: string]: unknown;
}
