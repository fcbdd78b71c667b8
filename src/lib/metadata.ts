// OAuth 2.0 Protected Resource Metadata (RFC 9728): how a client learns which authorization
// servers issue tokens for this API and which scopes it knows, starting from a 401.
import { parseFetchableUrl } from './url.js';

/** Fields of the RFC 9728 document that are not taken from the verifier. */
export interface ProtectedResourceMetadataOptions {
  /**
   * This API's resource identifier: an https URL without fragment, the one clients call
   * (RFC 9728 §2). Plain http is accepted for loopback hosts.
   * @default the verifier's first audience, when it is such a URL
   */
  resource?: string;
  /**
   * Issuer identifiers of the authorization servers clients may get tokens from.
   * @default the verifier's issuers
   */
  authorizationServers?: readonly string[];
  /** Scopes this API understands, published as `scopes_supported`. @default unset */
  scopesSupported?: readonly string[];
  /** Human-readable name of the API, published as `resource_name`. @default unset */
  resourceName?: string;
  /** URL of developer documentation, published as `resource_documentation`. @default unset */
  resourceDocumentation?: string;
}

/** The RFC 9728 §2 document served at `/.well-known/oauth-protected-resource`. */
export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers: readonly string[];
  readonly bearer_methods_supported: readonly string[];
  readonly scopes_supported?: readonly string[];
  readonly resource_name?: string;
  readonly resource_documentation?: string;
}

/** The reason `value` cannot be a resource identifier, or `undefined` when it can. */
export function resourceProblem(value: string): string | undefined {
  const url = parseFetchableUrl(value);
  if (typeof url === 'string') return url;
  if (url.hash !== '' || value.includes('#')) return 'must not have a fragment';
  return undefined;
}

/** Builds the document; inputs were checked by the caller. */
export function buildMetadata(
  resource: string,
  authorizationServers: readonly string[],
  options: ProtectedResourceMetadataOptions,
): ProtectedResourceMetadata {
  const document: {
    -readonly [K in keyof ProtectedResourceMetadata]: ProtectedResourceMetadata[K];
  } = {
    resource,
    authorization_servers: [...authorizationServers],
    bearer_methods_supported: ['header'],
  };
  if (options.scopesSupported !== undefined) document.scopes_supported = [...options.scopesSupported];
  if (options.resourceName !== undefined) document.resource_name = options.resourceName;
  if (options.resourceDocumentation !== undefined) document.resource_documentation = options.resourceDocumentation;
  return Object.freeze(document);
}
