// Phantom tokens: clients hold opaque tokens, the sidecar introspects them (cached, by the
// verifier) and tells the proxy what Authorization the upstream request gets instead: the
// issuer's signed RFC 9701 answer as a bearer JWT, so internal services verify a JWT locally
// and never see the opaque token. Without JWT answers there is nothing signed to forward: the
// Authorization is removed and the claim headers (X-Auth-*) carry what the issuer said.
import type { AccessTokenClaims } from '../claims/types.js';
import type { IntrospectionRequestEvent } from '../events/introspection.js';
import { INTROSPECTION_OPTION_NAMES, type IntrospectionOptions } from '../introspection/options.js';
import { introspectionOf } from '../introspection/response.js';
import { booleanAt, child, isNonEmptyString, numberAt, objectAt, oneOfAt, stringAt, wrong, type ConfigPath } from './config-checks.js';

/** The `phantomToken` key of the config: where the sidecar puts the upstream Authorization. */
export interface PhantomTokenConfig {
  /** The response header the proxy copies into the upstream `Authorization`. @default 'x-auth-authorization' */
  readonly header: string;
}

const HEADER = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Checks `phantomToken`: `true` for the defaults, or `{ header }`; unset or `false` turns it off. */
export function phantomTokenConfig(path: ConfigPath, value: unknown): PhantomTokenConfig | undefined {
  if (value === undefined || value === false) return undefined;
  const raw = value === true ? {} : objectAt(path, value, ['header']);
  const header = stringAt(child(path, 'header'), raw.header, 'x-auth-authorization');
  if (!HEADER.test(header)) wrong(child(path, 'header'), 'a header name');
  return Object.freeze({ header: header.toLowerCase() });
}

// What JSON can express (no fetch function), and the secret's environment variable.
const INTROSPECTION_KEYS = [...INTROSPECTION_OPTION_NAMES.filter((key) => key !== 'fetch'), 'clientSecretEnv'];

/**
 * Checks `verifier.introspection` for the types JSON can get wrong; createVerifier checks the
 * rest. `clientSecretEnv` names an environment variable holding the secret, so the file need
 * not: the secret is read here, once, and never printed.
 */
export function introspectionConfig(path: ConfigPath, value: unknown, env: Readonly<Record<string, string | undefined>> = process.env): IntrospectionOptions {
  const raw = objectAt(path, value, INTROSPECTION_KEYS);
  const options: Record<string, unknown> = {};
  for (const key of ['endpoint', 'issuer', 'clientId', 'clientSecret', 'privateKeyAlgorithm'] as const) {
    const text = stringAt(child(path, key), raw[key]);
    if (text !== undefined) options[key] = text;
  }
  if (raw.clientSecretEnv !== undefined) {
    const name = stringAt(child(path, 'clientSecretEnv'), raw.clientSecretEnv) as string;
    if (raw.clientSecret !== undefined) wrong(child(path, 'clientSecretEnv'), 'left out when clientSecret is set');
    const secret = env[name];
    if (!isNonEmptyString(secret)) wrong(child(path, 'clientSecretEnv'), `the name of a set, non-empty environment variable (${name} is not)`);
    options.clientSecret = secret;
  }
  if (raw.privateKey !== undefined) options.privateKey = objectAt(child(path, 'privateKey'), raw.privateKey, Object.keys(raw.privateKey as object));
  if (raw.tokens !== undefined) options.tokens = oneOfAt(child(path, 'tokens'), raw.tokens, ['opaque', 'all'], 'opaque');
  for (const key of ['timeout', 'maxBytes', 'maxRequestsPerSecond'] as const) {
    if (raw[key] !== undefined) options[key] = numberAt(child(path, key), raw[key], 0, 0, Number.MAX_SAFE_INTEGER);
  }
  if (raw.jwtResponse !== undefined) options.jwtResponse = booleanAt(child(path, 'jwtResponse'), raw.jwtResponse, false);
  if (raw.cache !== undefined) {
    if (raw.cache === false) options.cache = false;
    else {
      const cache = objectAt(child(path, 'cache'), raw.cache, ['maxEntries', 'maxAge', 'inactiveMaxAge']);
      for (const [key, item] of Object.entries(cache)) numberAt(child(child(path, 'cache'), key), item, 0, 0, Number.MAX_SAFE_INTEGER);
      options.cache = cache;
    }
  }
  return options as IntrospectionOptions;
}

/**
 * The header of a 200 that sets the upstream Authorization: the issuer's JWT answer for an
 * introspected token; the request's own Authorization for a token verified as a JWT (it is
 * already what internal services verify); empty (the proxy then removes it) for an introspected
 * token without a JWT answer and for anonymous routes, so an opaque token never goes upstream.
 */
export function phantomHeaders(
  config: PhantomTokenConfig | undefined,
  claims: AccessTokenClaims | undefined,
  authorization: string | undefined,
): Record<string, string> {
  if (config === undefined) return {};
  if (claims === undefined) return { [config.header]: '' };
  const introspected = introspectionOf(claims);
  if (introspected === undefined) return { [config.header]: authorization ?? '' };
  return { [config.header]: introspected.jwt === undefined ? '' : `Bearer ${introspected.jwt}` };
}

/**
 * A line for a failed introspection request (an unreachable endpoint, or our credentials
 * refused: a configuration error), like the one for a failed key-set fetch. The event never
 * holds the token or the secret.
 */
export function introspectionFailureLine(message: unknown, write: (line: string) => void): void {
  const event = message as IntrospectionRequestEvent;
  if (event.error === undefined) return;
  write(JSON.stringify({ time: new Date().toISOString(), event: 'introspection_failed', issuer: event.issuer, url: event.endpoint, status: event.status, message: event.error.message }));
}
