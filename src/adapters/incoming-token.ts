// The token a request arrived with, kept beside the claims the adapters attach rather than on
// them: claims get logged, serialized and passed around, the token must not be. A handler that
// needs it (to exchange it for the next hop, or to forward it where the user decides) asks
// for it by the claims object it was handed.

/** The verified token of a request, as it arrived. */
export interface IncomingToken {
  /**
   * The access token. Not enumerable, and left out of `JSON.stringify` and `util.inspect`,
   * so that logging this object does not log the token.
   */
  readonly token: string;
  /** The scheme it came with: `DPoP` for a DPoP-bound token with its proof, else `Bearer`. */
  readonly scheme: 'Bearer' | 'DPoP';
}

const tokens = new WeakMap<object, IncomingToken>();

// A record's JSON and its util.inspect form name the scheme and never the token. Shared by
// every record through their prototype, so that recording one creates no functions.
function redacted(this: IncomingToken): object {
  return { scheme: this.scheme, token: '[redacted]' };
}
const REDACTED_FORM = Object.freeze({ toJSON: redacted, [Symbol.for('nodejs.util.inspect.custom')]: redacted });

/** Records `token` as the one `claims` were verified from (adapters/core.ts, once per request). */
export function rememberIncomingToken(claims: object, token: string, scheme: 'Bearer' | 'DPoP'): void {
  // Claims recalled from the verified-token cache are the same object for every request with
  // that token: its record stands.
  const known = tokens.get(claims);
  if (known !== undefined && known.token === token && known.scheme === scheme) return;
  const record = Object.create(REDACTED_FORM, {
    scheme: { value: scheme, enumerable: true },
    token: { value: token, enumerable: false },
  }) as IncomingToken;
  tokens.set(claims, Object.freeze(record));
}

/**
 * The verified token of the request whose claims a tokenwarden adapter handed you (`req.auth`,
 * `c.get('auth')`, the claims argument, `@Claims()`), so that the handler can exchange it
 * (`tokenwarden/client`) or forward it. Throws when `claims` did not come from an adapter.
 *
 * @example
 * ```ts
 * import { createAuth, incomingToken } from 'tokenwarden/express';
 *
 * app.get('/orders', auth.protect(), async (req, res) => {
 *   const { token } = incomingToken(req.auth);
 *   const stock = await client.fetch(inventoryUrl, {}, { exchange: { subjectToken: token, audience: 'inventory' } });
 *   res.json(await stock.json());
 * });
 * ```
 */
export function incomingToken(claims: object | undefined): IncomingToken {
  const found = claims === undefined ? undefined : tokens.get(claims);
  if (found === undefined) throw new Error('tokenwarden: incomingToken() needs the claims object an adapter attached to a request it let through');
  return found;
}
