// The gateway's config: a JSON file (TOKENWARDEN_CONFIG or --config), then a few environment
// overrides for containers, validated once at start. Every mistake names the path of the
// value (`routes[2].scopes …`) and unknown keys are refused. Route rules and claim headers are
// checked by their own modules (./routes.ts, ./forward.ts); this file holds the rest.
import { isIP } from 'node:net';
import type { VerifierOptions } from '../verifier.js';
import { dpopConfig, mtlsConfig, type ReplayConfig } from './binding-config.js';
import { booleanAt, child, isNonEmptyString, listAt, numberAt, objectAt, oneOfAt, stringAt, wrong, type ConfigPath } from './config-checks.js';
import { forwardConfig, type ForwardConfig } from './forward.js';
import { introspectionConfig, phantomTokenConfig, type PhantomTokenConfig } from './phantom.js';
import { routeRules, type RouteRule } from './routes.js';
import { parseRange } from './trusted-proxies.js';

/** The proxy in front of the sidecar: it decides which headers describe the original request. */
export type ProxyKind = 'nginx' | 'traefik' | 'envoy';

/** The checked config. */
export interface GatewayConfig {
  /** Where the sidecar listens; `"host:port"` in the file. @default '127.0.0.1:8081' (checked into `{ host, port }`) */
  readonly listen: { readonly host: string; readonly port: number };
  /** @default 'nginx' */
  readonly proxy: ProxyKind;
  /** Envoy's `http_service.path_prefix`, removed from the path before routes are matched. @default '/ext-authz' */
  readonly pathPrefix: string;
  /** Peers whose forwarding headers are believed (IPs and CIDR ranges). @default ['127.0.0.1', '::1'] */
  readonly trustedProxies: readonly string[];
  /** The options of the verifier, as `createVerifier()` takes them (JSON-expressible ones; `dpop` without its replay store). */
  readonly verifier: VerifierOptions;
  /** Where DPoP proofs' `jti`s are claimed (`verifier.dpop.replay` in the file). @default the verifier's own memory store */
  readonly replay: ReplayConfig;
  /**
   * Header in which the proxy forwards the client certificate it terminated, in the proxy's
   * format; read only from `trustedProxies`. Unset: certificate-bound tokens find no certificate.
   * @default unset
   */
  readonly certificateHeader: string | undefined;
  /** The challenge's `realm`. @default the first audience */
  readonly realm: string | undefined;
  /** A cookie that may carry the token. @default unset */
  readonly cookie: string | undefined;
  /** RFC 9728 metadata URL sent in challenges. @default unset */
  readonly resourceMetadata: string | undefined;
  /** Seconds of Retry-After when a refusal carries no estimate. @default 30 */
  readonly retryAfter: number;
  readonly routes: readonly RouteRule[];
  /** What a request no route matches needs: a valid token (`token`), or nothing gets through (`deny`). @default 'token' */
  readonly default: 'token' | 'deny';
  readonly forward: ForwardConfig;
  /** One JSON line per refusal on stdout. @default true */
  readonly logRefusals: boolean;
  /** Seconds in-flight checks get to finish after SIGTERM. @default 10 */
  readonly shutdownTimeout: number;
  /** Record OpenTelemetry metrics and spans with `instrument()` (needs `@opentelemetry/api` installed). @default false */
  readonly opentelemetry: boolean;
  /** Phantom tokens: the upstream Authorization set from introspection (docs/introspection.md). @default unset (off) */
  readonly phantomToken: PhantomTokenConfig | undefined;
}

const TOP_KEYS = [
  'listen',
  'proxy',
  'pathPrefix',
  'trustedProxies',
  'verifier',
  'realm',
  'cookie',
  'resourceMetadata',
  'retryAfter',
  'routes',
  'default',
  'forward',
  'logRefusals',
  'shutdownTimeout',
  'certificateHeader',
  'opentelemetry',
  'phantomToken',
] as const;
// The verifier options that JSON can express (no revocation store, no custom fetch).
const VERIFIER_KEYS = [
  'issuer',
  'audience',
  'jwksUri',
  'algorithms',
  'clockTolerance',
  'maxTokenAge',
  'typ',
  'requiredClaims',
  'maxTokenLength',
  'jwks',
  'cache',
  'dpop',
  'mtls',
  'introspection',
] as const;
const JWKS_KEYS = ['cooldown', 'maxAge', 'timeout', 'maxStale', 'maxBytes'] as const;

/** `host:port` or `[v6]:port`. */
export function parseListen(path: ConfigPath, value: unknown): { host: string; port: number } {
  if (value === undefined) return { host: '127.0.0.1', port: 8081 };
  const match = typeof value === 'string' ? /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value) : null;
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !(port >= 0 && port <= 65535) || (match?.[1] !== undefined && isIP(host) !== 6)) {
    wrong(path, 'a "host:port" string, e.g. "127.0.0.1:8081" or "[::1]:8081"');
  }
  return { host, port };
}

function stringOrList(path: ConfigPath, value: unknown): string | string[] {
  if (isNonEmptyString(value)) return value;
  return listAt(path, value, 'a non-empty string or a non-empty array of them', isNonEmptyString);
}

type Env = Readonly<Record<string, string | undefined>>;

function verifierConfig(path: ConfigPath, value: unknown, env: Env): { options: VerifierOptions; replay: ReplayConfig } {
  const raw = objectAt(path, value, VERIFIER_KEYS);
  if (raw.issuer === undefined) wrong(child(path, 'issuer'), 'set (the issuer URL, or an array of them)');
  if (raw.audience === undefined) wrong(child(path, 'audience'), 'set (this API\'s audience, or an array of them)');
  const options: VerifierOptions = { issuer: stringOrList(child(path, 'issuer'), raw.issuer), audience: stringOrList(child(path, 'audience'), raw.audience) };
  if (raw.jwksUri !== undefined) {
    const where = child(path, 'jwksUri');
    if (isNonEmptyString(raw.jwksUri)) options.jwksUri = raw.jwksUri;
    else {
      const map = objectAt(where, raw.jwksUri, Object.keys(raw.jwksUri as object));
      for (const [issuer, uri] of Object.entries(map)) if (!isNonEmptyString(uri)) wrong(child(where, issuer), 'a URL string');
      options.jwksUri = map as Record<string, string>;
    }
  }
  if (raw.algorithms !== undefined) {
    options.algorithms = listAt(child(path, 'algorithms'), raw.algorithms, 'an array of algorithm names', isNonEmptyString) as NonNullable<VerifierOptions['algorithms']>;
  }
  if (raw.requiredClaims !== undefined) {
    options.requiredClaims = listAt(child(path, 'requiredClaims'), raw.requiredClaims, 'an array of claim names', isNonEmptyString);
  }
  const typ = stringAt(child(path, 'typ'), raw.typ);
  if (typ !== undefined) options.typ = typ;
  // Ranges are the verifier's own, checked again by createVerifier; these catch the wrong types here.
  if (raw.clockTolerance !== undefined) options.clockTolerance = numberAt(child(path, 'clockTolerance'), raw.clockTolerance, 5, 0, 3600);
  if (raw.maxTokenAge !== undefined) options.maxTokenAge = numberAt(child(path, 'maxTokenAge'), raw.maxTokenAge, 0, 0, 10 * 365 * 86400);
  if (raw.maxTokenLength !== undefined) {
    options.maxTokenLength = numberAt(child(path, 'maxTokenLength'), raw.maxTokenLength, 0, 1, Number.MAX_SAFE_INTEGER, true);
  }
  if (raw.jwks !== undefined) {
    const jwks = objectAt(child(path, 'jwks'), raw.jwks, JWKS_KEYS);
    for (const [key, item] of Object.entries(jwks)) numberAt(child(child(path, 'jwks'), key), item, 0, 0, Number.MAX_SAFE_INTEGER);
    options.jwks = jwks;
  }
  if (raw.cache !== undefined) {
    if (raw.cache === false) options.cache = false;
    else {
      const cache = objectAt(child(path, 'cache'), raw.cache, ['maxEntries']);
      options.cache = { maxEntries: numberAt(child(child(path, 'cache'), 'maxEntries'), cache.maxEntries, 10_000, 1, 10_000_000, true) };
    }
  }
  let replay: ReplayConfig = { kind: 'memory' };
  if (raw.dpop !== undefined) {
    const dpop = dpopConfig(child(path, 'dpop'), raw.dpop, env);
    options.dpop = dpop.options;
    replay = dpop.replay;
  }
  if (raw.mtls !== undefined) options.mtls = mtlsConfig(child(path, 'mtls'), raw.mtls);
  if (raw.introspection !== undefined) options.introspection = introspectionConfig(child(path, 'introspection'), raw.introspection, env);
  return { options, replay };
}

// Headers the sidecar reads for other purposes: a certificate header among them would be confused with them.
const RESERVED_HEADERS = new Set(['authorization', 'cookie', 'dpop', 'host', 'x-original-uri', 'x-original-method', 'x-forwarded-uri', 'x-forwarded-method', 'x-forwarded-proto', 'x-forwarded-host']);

function certificateHeaderAt(path: ConfigPath, value: unknown): string | undefined {
  const name = stringAt(path, value)?.toLowerCase();
  if (name !== undefined && (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name) || RESERVED_HEADERS.has(name))) {
    wrong(path, 'a header name of its own (e.g. "x-client-cert" for nginx, "x-forwarded-client-cert" for Envoy)');
  }
  return name;
}

function proxyList(path: ConfigPath, value: unknown): string[] {
  if (value === undefined) return ['127.0.0.1', '::1'];
  if (!Array.isArray(value)) wrong(path, 'an array of IP addresses or CIDR ranges');
  value.forEach((entry, i) => {
    if (typeof entry !== 'string' || parseRange(entry) === undefined) wrong(child(path, i), 'an IP address or a CIDR range (e.g. "10.0.0.0/8")');
  });
  return [...new Set(value as string[])];
}

/**
 * Checks a parsed config file (after environment overrides). Throws TypeError/RangeError naming
 * the path. `env` holds the secrets a config file must not (DPoP nonce secrets).
 */
export function checkConfig(value: unknown, env: Env = {}): GatewayConfig {
  const raw = objectAt('', value, TOP_KEYS);
  const proxy = oneOfAt('proxy', raw.proxy, ['nginx', 'traefik', 'envoy'], 'nginx');
  const pathPrefix = stringAt('pathPrefix', raw.pathPrefix, '/ext-authz');
  if (!/^\/[^?#]*[^/]$/.test(pathPrefix) || pathPrefix === '/healthz' || pathPrefix === '/readyz') {
    wrong('pathPrefix', 'a path starting with "/", not ending with "/", other than /healthz and /readyz');
  }
  if (raw.verifier === undefined) wrong('verifier', 'set: an object with at least "issuer" and "audience"');
  const verifier = verifierConfig('verifier', raw.verifier, env);
  return {
    listen: parseListen('listen', raw.listen),
    proxy,
    pathPrefix,
    trustedProxies: proxyList('trustedProxies', raw.trustedProxies),
    verifier: verifier.options,
    replay: verifier.replay,
    certificateHeader: certificateHeaderAt('certificateHeader', raw.certificateHeader),
    opentelemetry: booleanAt('opentelemetry', raw.opentelemetry, false),
    realm: stringAt('realm', raw.realm),
    cookie: stringAt('cookie', raw.cookie),
    resourceMetadata: stringAt('resourceMetadata', raw.resourceMetadata),
    retryAfter: numberAt('retryAfter', raw.retryAfter, 30, 1, 86400, true),
    routes: routeRules('routes', raw.routes),
    default: oneOfAt('default', raw.default, ['token', 'deny'], 'token'),
    forward: forwardConfig('forward', raw.forward),
    logRefusals: booleanAt('logRefusals', raw.logRefusals, true),
    shutdownTimeout: numberAt('shutdownTimeout', raw.shutdownTimeout, 10, 0, 300),
    phantomToken: phantomTokenConfig('phantomToken', raw.phantomToken),
  };
}
