// What a token is bound to (its `cnf` claim, RFC 7800 §3.1): a DPoP key thumbprint (`jkt`,
// RFC 9449 §6.1) or a certificate thumbprint (`x5t#S256`, RFC 8705 §3.1).
import type { AccessTokenClaims } from '../claims/types.js';
import { AccessTokenError } from '../errors.js';

/** The confirmation methods of a token that tokenwarden checks. */
export interface Binding {
  readonly jkt: string | undefined;
  readonly x5t: string | undefined;
}

export const bindingInvalid = (message: string): AccessTokenError => new AccessTokenError('token_binding_invalid', message);

/** The binding of a verified token, `undefined` for a bearer token; a malformed `cnf` is refused. */
export function bindingOf(claims: AccessTokenClaims): Binding | undefined {
  const { cnf } = claims;
  if (cnf === undefined) return undefined;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) throw bindingInvalid('token "cnf" claim is not an object');
  const { jkt, 'x5t#S256': x5t } = cnf as Record<string, unknown>;
  if (jkt !== undefined && (typeof jkt !== 'string' || jkt === '')) throw bindingInvalid('token "cnf.jkt" is not a thumbprint');
  if (x5t !== undefined && (typeof x5t !== 'string' || x5t === '')) throw bindingInvalid('token "cnf.x5t#S256" is not a thumbprint');
  if (jkt === undefined && x5t === undefined) return undefined;
  return { jkt: jkt as string | undefined, x5t: x5t as string | undefined };
}

/**
 * What `verifyAccessToken` does with a bound token: refuse it, since it cannot see the proof
 * or certificate, and a bound token without its proof is a stolen one (RFC 9449 §7.2).
 */
export function refuseBoundToken(claims: AccessTokenClaims): void {
  if (bindingOf(claims) !== undefined) {
    throw bindingInvalid('token is sender-constrained (cnf): verify it with verifyRequest(), which checks its proof or certificate');
  }
}
