// How the resource server proves to the introspection endpoint who it is: HTTP Basic with the
// client secret (RFC 7662 §2.1 through RFC 6749 §2.3.1), or a signed assertion (private_key_jwt,
// RFC 7523 §2.2). jose signs the assertion, so both runtimes share this code.
import type { CryptoKey, JWK, KeyObject } from 'jose';
import type { ClientAuthentication } from './options.js';

/** The headers and form fields that authenticate one request. */
export interface Credentials {
  readonly headers: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, string>>;
}

/** Builds the credentials of each request (a fresh assertion each time for private_key_jwt). */
export type CredentialSource = (endpoint: URL) => Credentials | Promise<Credentials>;

type Jose = typeof import('jose');
// Loaded with the first assertion: jose is an ES module, and loading it lazily keeps CommonJS
// users who never sign one (Jest without ES modules) free of it.
let jose: Promise<Jose> | undefined;

// Long enough for a slow network, short enough that a captured assertion is soon worthless.
const ASSERTION_LIFETIME = 60;

/**
 * RFC 6749 §2.3.1: id and secret are each form-urlencoded (Appendix B) before they are joined
 * and base64-encoded, so a `:` or non-ASCII character in either survives.
 */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function createCredentialSource(auth: ClientAuthentication): CredentialSource {
  if (auth.method === 'client_secret_basic') {
    const credentials: Credentials = Object.freeze({
      headers: Object.freeze({ authorization: `Basic ${base64(`${formEncode(auth.clientId)}:${formEncode(auth.clientSecret)}`)}` }),
      fields: Object.freeze({}),
    });
    return () => credentials;
  }
  const { clientId, algorithm } = auth;
  let key: Promise<CryptoKey | KeyObject | Uint8Array> | undefined;
  const signingKey = (): Promise<CryptoKey | KeyObject | Uint8Array> => {
    // A JWK is imported once; a KeyObject is used as it is.
    key ??= isJwk(auth.privateKey)
      ? (jose ??= import('jose')).then(({ importJWK }) => importJWK(auth.privateKey as JWK, algorithm))
      : Promise.resolve(auth.privateKey as KeyObject);
    return key;
  };
  return async (endpoint) => {
    const kid = isJwk(auth.privateKey) && typeof auth.privateKey.kid === 'string' ? auth.privateKey.kid : undefined;
    const { SignJWT } = await (jose ??= import('jose'));
    const assertion = await new SignJWT({})
      .setProtectedHeader(kid === undefined ? { alg: algorithm } : { alg: algorithm, kid })
      .setIssuer(clientId)
      .setSubject(clientId)
      // RFC 7523 §3: the authorization server as audience; the endpoint's URL is the value
      // every server we know accepts.
      .setAudience(endpoint.href)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${ASSERTION_LIFETIME}s`)
      .sign(await signingKey());
    return {
      headers: {},
      fields: {
        client_id: clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      },
    };
  };
}

function isJwk(key: unknown): key is Record<string, unknown> {
  return typeof key === 'object' && key !== null && typeof (key as { kty?: unknown }).kty === 'string';
}
