// createTokenClient's options, checked once at construction: misuse throws TypeError/RangeError
// naming the option, through the same helpers the verifier uses.
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { fail, integer, isPlainObject, knownKeys, oneOf, optionsObject, seconds, stringList, unusable } from '../lib/options.js';
import { parseFetchableUrl } from '../lib/url.js';
import { checkPrivateKey } from './keys.js';

/** A private key as the token client takes it: a Node KeyObject, a WebCrypto CryptoKey or a private JWK. */
export type ClientPrivateKey = KeyObject | CryptoKey | JsonWebKey;

/** A client certificate for mutual-TLS client authentication (RFC 8705 §2, `tls_client_auth`). */
export interface ClientTlsOptions {
  /** The client certificate chain, PEM. */
  cert: string | Buffer;
  /** The certificate's private key, PEM. */
  key: string | Buffer;
  /** CA certificates to trust for the issuer instead of the system's, PEM. @default unset (the system's) */
  ca?: string | Buffer | readonly (string | Buffer)[];
}

/** DPoP (RFC 9449) for the client's own tokens. */
export interface ClientDpopOptions {
  /**
   * The key proofs are signed with: EC P-256 (ES256), P-384 (ES384), Ed25519 (EdDSA) or RSA
   * (PS256). Its public half is what the tokens get bound to.
   */
  privateKey: ClientPrivateKey;
}

/** Options of {@link createTokenClient}. Exactly one of `clientSecret`, `privateKey` and `tls`. */
export interface TokenClientOptions {
  /**
   * The issuer identifier. Its metadata is discovered (OpenID Connect Discovery, then RFC 8414)
   * and used only if its `issuer` matches this string exactly. https; plain http only for
   * loopback hosts.
   */
  issuer: string;
  /** The client identifier registered at the issuer. */
  clientId: string;
  /** The client secret, sent as `client_secret_basic` (or `client_secret_post`). @default unset */
  clientSecret?: string;
  /**
   * How `clientSecret` is sent: in the Authorization header (RFC 6749 §2.3.1) or in the body.
   * @default 'client_secret_basic'
   */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  /**
   * A private key for `private_key_jwt` (RFC 7523, OIDC Core §9): each grant carries a short-lived
   * assertion signed with it. A JWK's `kid` is sent in the assertion header.
   * @default unset
   */
  privateKey?: ClientPrivateKey;
  /** A client certificate for `tls_client_auth` (RFC 8705 §2). @default unset */
  tls?: ClientTlsOptions;
  /** Scopes to ask for, space-separated or as an array. @default unset (the issuer's default) */
  scope?: string | readonly string[];
  /** Resource indicators to ask for (RFC 8707), absolute URIs. @default unset */
  resource?: string | readonly string[];
  /** An `audience` parameter, for issuers that take one (Auth0 and others). @default unset */
  audience?: string;
  /**
   * Ask for DPoP-bound tokens (RFC 9449) and send a proof with every request: `true` for a fresh
   * P-256 key held in memory for the life of the client, or the key to use.
   * @default unset (bearer tokens)
   */
  dpop?: true | ClientDpopOptions;
  /**
   * Seconds before a token's expiry at which it is no longer handed out: a caller then waits for
   * a new one. Capped at half the token's lifetime, so a short-lived token is still used.
   * From 0 to 3600.
   * @default 30
   */
  refreshMargin?: number;
  /**
   * Seconds before that point at which a new token is fetched in the background while the
   * current one is still handed out. Capped at half of what remains of the lifetime. 0 turns
   * refresh-ahead off. From 0 to 86400.
   * @default 60
   */
  refreshAhead?: number;
  /** Seconds one request to the issuer may take, body included. From 0.01 to 300. @default 5 */
  timeout?: number;
  /** Largest issuer response read, in bytes. From 256 to 16 MiB. @default 262144 */
  maxBytes?: number;
  /**
   * Retries after a failure that may pass (`issuer_unavailable`); never after `invalid_client`
   * or `grant_refused`. From 0 to 10.
   * @default 2
   */
  retries?: number;
  /**
   * Seconds before the first retry; each next one waits twice as long, and every wait is
   * jittered down by up to half. From 0 to 60.
   * @default 0.25
   */
  retryDelay?: number;
  /** Exchanged tokens kept, one per subject token, audience and scope. From 1 to 100000. @default 1000 */
  exchangeCacheSize?: number;
}

/** How the client authenticates at the token endpoint, from the one credential option given. */
export type ClientAuthentication =
  | { readonly kind: 'client_secret_basic' | 'client_secret_post'; readonly secret: string }
  | { readonly kind: 'private_key_jwt'; readonly key: ClientPrivateKey }
  | { readonly kind: 'tls_client_auth'; readonly tls: ClientTlsOptions };

/** The options, checked. */
export interface TokenClientSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly authentication: ClientAuthentication;
  readonly parameters: readonly (readonly [string, string])[];
  readonly dpop: ClientPrivateKey | true | undefined;
  readonly refreshMargin: number;
  readonly refreshAhead: number;
  readonly timeout: number;
  readonly maxBytes: number;
  readonly retries: number;
  readonly retryDelay: number;
  readonly exchangeCacheSize: number;
}

const OPTION_NAMES = [
  'issuer',
  'clientId',
  'clientSecret',
  'tokenEndpointAuthMethod',
  'privateKey',
  'tls',
  'scope',
  'resource',
  'audience',
  'dpop',
  'refreshMargin',
  'refreshAhead',
  'timeout',
  'maxBytes',
  'retries',
  'retryDelay',
  'exchangeCacheSize',
] as const;

function text(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') fail(name, 'a non-empty string');
  return value;
}

function isKey(value: unknown): value is ClientPrivateKey {
  if (typeof value !== 'object' || value === null) return false;
  const { type } = value as { type?: unknown };
  // KeyObject and CryptoKey both say what they are in `type`; a JWK has `kty` and `d`.
  if (type === 'private') return true;
  return isPlainObject(value) && typeof value.kty === 'string' && typeof value.d === 'string';
}

function privateKey(name: string, value: unknown, needsPublic: boolean): ClientPrivateKey {
  if (!isKey(value)) fail(name, 'a private KeyObject, CryptoKey or JWK');
  checkPrivateKey(name, value, needsPublic);
  return value;
}

function pem(name: string, value: unknown): string | Buffer {
  if ((typeof value !== 'string' || value === '') && !Buffer.isBuffer(value)) fail(name, 'a PEM string or Buffer');
  return value;
}

function tlsOptions(value: unknown): ClientTlsOptions {
  if (!isPlainObject(value)) fail('tls', 'an object with cert and key');
  knownKeys('tls', value, ['cert', 'key', 'ca']);
  const tls: ClientTlsOptions = { cert: pem('tls.cert', value.cert), key: pem('tls.key', value.key) };
  if (value.ca !== undefined) {
    tls.ca = Array.isArray(value.ca) ? value.ca.map((item) => pem('tls.ca', item)) : pem('tls.ca', value.ca);
  }
  return tls;
}

function authentication(options: Record<string, unknown>): ClientAuthentication {
  const given = (['clientSecret', 'privateKey', 'tls'] as const).filter((name) => options[name] !== undefined);
  if (given.length !== 1) fail('clientSecret', 'set, or privateKey or tls instead: exactly one of the three');
  if (options.tokenEndpointAuthMethod !== undefined && given[0] !== 'clientSecret') {
    unusable('tokenEndpointAuthMethod', 'applies only with clientSecret');
  }
  if (given[0] === 'privateKey') return { kind: 'private_key_jwt', key: privateKey('privateKey', options.privateKey, false) };
  if (given[0] === 'tls') return { kind: 'tls_client_auth', tls: tlsOptions(options.tls) };
  const kind = oneOf('tokenEndpointAuthMethod', options.tokenEndpointAuthMethod, ['client_secret_basic', 'client_secret_post'], 'client_secret_basic');
  return { kind, secret: text('clientSecret', options.clientSecret) };
}

/** Scopes as the space-separated list the grant sends. */
export function scopeParameter(name: string, value: unknown): string {
  const list = typeof value === 'string' ? value.split(' ').filter((item) => item !== '') : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((item) => typeof item !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(item))) {
    fail(name, 'a space-separated string or an array of scopes (printable ASCII without spaces, quotes or backslashes)');
  }
  return list.join(' ');
}

function resources(value: unknown): string[] {
  const list = stringList('resource', value);
  for (const item of list) {
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      return fail('resource', 'absolute URIs (RFC 8707 §2)');
    }
    if (url.hash !== '') unusable('resource', 'must not have a fragment (RFC 8707 §2)');
  }
  return list;
}

function dpopOption(value: unknown): TokenClientSettings['dpop'] {
  if (value === undefined || value === true) return value;
  if (!isPlainObject(value)) fail('dpop', 'true or an object with privateKey');
  knownKeys('dpop', value, ['privateKey']);
  return privateKey('dpop.privateKey', value.privateKey, true);
}

/** Checks createTokenClient's options (TypeError/RangeError naming the option) and applies the defaults. */
export function resolveTokenClientOptions(value: unknown): TokenClientSettings {
  const options = optionsObject('createTokenClient', value);
  knownKeys('', options, OPTION_NAMES);
  const issuer = text('issuer', options.issuer);
  const url = parseFetchableUrl(issuer);
  if (typeof url === 'string') unusable('issuer', url);
  const parameters: [string, string][] = [];
  if (options.scope !== undefined) parameters.push(['scope', scopeParameter('scope', options.scope)]);
  if (options.resource !== undefined) for (const item of resources(options.resource)) parameters.push(['resource', item]);
  if (options.audience !== undefined) parameters.push(['audience', text('audience', options.audience)]);
  return {
    issuer,
    clientId: text('clientId', options.clientId),
    authentication: authentication(options),
    parameters,
    dpop: dpopOption(options.dpop),
    refreshMargin: seconds('refreshMargin', options.refreshMargin, 30, 0, 3600),
    refreshAhead: seconds('refreshAhead', options.refreshAhead, 60, 0, 86400),
    timeout: seconds('timeout', options.timeout, 5, 0.01, 300),
    maxBytes: integer('maxBytes', options.maxBytes, 262_144, 256, 16 * 1024 * 1024),
    retries: integer('retries', options.retries, 2, 0, 10),
    retryDelay: seconds('retryDelay', options.retryDelay, 0.25, 0, 60),
    exchangeCacheSize: integer('exchangeCacheSize', options.exchangeCacheSize, 1000, 1, 100_000),
  };
}
