import { parseFetchableUrl } from '../lib/url.js';
import { freshnessFromHeaders } from './cache-control.js';
import { parseJsonObject, type HttpGet, type HttpResponse } from './http.js';

/** What an issuer's metadata says about its key set. */
export interface Discovered {
  readonly jwksUri: URL;
  /** Seconds the metadata says it stays fresh (Cache-Control, Expires); `undefined` when it says nothing. */
  readonly freshFor: number | undefined;
}

/**
 * Where an issuer's metadata may live: OpenID Connect Discovery 1.0 §4 first
 * (`{issuer}/.well-known/openid-configuration`), then RFC 8414 §3
 * (`/.well-known/oauth-authorization-server` inserted before the issuer's path).
 */
export function metadataUrls(issuer: URL): URL[] {
  const path = issuer.pathname.replace(/\/+$/, '');
  return [
    new URL(`${issuer.origin}${path}/.well-known/openid-configuration`),
    new URL(`${issuer.origin}/.well-known/oauth-authorization-server${path}`),
  ];
}

/**
 * Reads the issuer's metadata and returns its `jwks_uri`. Metadata whose `issuer` differs from
 * the configured one by even a character is not used (OIDC Discovery §4.3, RFC 8414 §3.3): it
 * would let one tenant's metadata point us at another's keys. `at` is where the metadata lives
 * when that is not the issuer itself: an issuer template's is found at its `common` form, and
 * names the template as its `issuer`.
 */
export function discoverJwksUri(
  issuer: string,
  get: HttpGet,
  options: { signal: AbortSignal; maxBytes: number },
  at: string = issuer,
): Promise<Discovered> {
  return discoverEndpoint(issuer, 'jwks_uri', get, options, at).then(({ url, freshFor }) => ({ jwksUri: url, freshFor }));
}

/**
 * Reads the issuer's metadata (under the rules of {@link discoverJwksUri}) and returns the URL
 * of one of its endpoints (`jwks_uri`, `introspection_endpoint`), which must be one we may fetch.
 */
export function discoverEndpoint(
  issuer: string,
  name: string,
  get: HttpGet,
  options: { signal: AbortSignal; maxBytes: number },
  at: string = issuer,
): Promise<{ readonly url: URL; readonly freshFor: number | undefined }> {
  return discoverMetadata(
    issuer,
    get,
    options,
    (metadata, response) => {
      const value = metadata[name];
      if (typeof value !== 'string') throw new Error(`it has no "${name}"`);
      const endpoint = parseFetchableUrl(value);
      if (typeof endpoint === 'string') throw new Error(`its "${name}" ${endpoint}`);
      return { url: endpoint, freshFor: freshnessFromHeaders(response, Date.now()) };
    },
    at,
  );
}

/**
 * Reads the issuer's metadata, refusing any whose `issuer` is not exactly the configured one,
 * and returns what `read` takes from it (`read` throws to say the metadata is unusable). Both
 * places metadata may live are tried, in order; the error names why each failed.
 */
export async function discoverMetadata<T>(
  issuer: string,
  get: HttpGet,
  options: { signal: AbortSignal; maxBytes: number },
  read: (metadata: Record<string, unknown>, response: HttpResponse) => T,
  at: string = issuer,
): Promise<T> {
  const reasons: string[] = [];
  for (const url of metadataUrls(new URL(at))) {
    try {
      const response = await get(url, options);
      const metadata = parseJsonObject(response);
      if (metadata.issuer !== issuer) throw new Error('its "issuer" does not match the configured issuer');
      return read(metadata, response);
    } catch (error) {
      if (options.signal.aborted) throw error;
      reasons.push(`${url.href}: ${(error as Error).message}`);
    }
  }
  throw new Error(`discovery failed (${reasons.join('; ')})`);
}
