// The claims a 200 hands to the proxy, as headers it copies onto the upstream request. Every
// configured header is always sent, empty when the claim is absent or unusable: a proxy that
// copies the sidecar's header over the client's (Envoy, Traefik) then never leaves a forged
// value in place. Values are sanitised: controls removed, `%` and non-ASCII percent-encoded
// (UTF-8), and a value longer than the bound dropped rather than cut (a cut scope list would
// say something the token does not).
import type { AccessTokenClaims } from '../claims/types.js';
import { grantedScopes } from '../guards/scopes.js';
import { child, numberAt, objectAt, wrong, type ConfigPath } from './config-checks.js';

/** Which claims go in which header. Names are lower-case; `undefined` means not sent. */
export interface ForwardConfig {
  /** `sub`. @default 'x-auth-subject' */
  readonly subject: string | undefined;
  /** `client_id` (else `azp`). @default 'x-auth-client-id' */
  readonly clientId: string | undefined;
  /** The granted scopes (`scope` and `scp`), space-separated. @default 'x-auth-scope' */
  readonly scope: string | undefined;
  /** `iss`. @default 'x-auth-issuer' */
  readonly issuer: string | undefined;
  /** Every claim as base64url JSON. @default unset (`true` in the file gives 'x-auth-claims') */
  readonly claims: string | undefined;
  /** Longest value sent, in characters after encoding, from 16 to 8192. @default 1024 */
  readonly maxLength: number;
  /** Longest `claims` value, from 64 to 16384 (mind the proxy's header buffer: nginx's is 4 KiB by default). @default 3072 */
  readonly claimsMaxLength: number;
}

const KEYS = ['subject', 'clientId', 'scope', 'issuer', 'claims', 'maxLength', 'claimsMaxLength'] as const;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const DEFAULT_NAMES = { subject: 'x-auth-subject', clientId: 'x-auth-client-id', scope: 'x-auth-scope', issuer: 'x-auth-issuer' } as const;

function headerName(path: ConfigPath, value: unknown, fallback: string | undefined, enabled?: string): string | undefined {
  if (value === undefined) return fallback;
  if (value === false) return undefined;
  if (value === true && enabled !== undefined) return enabled;
  if (typeof value !== 'string' || !TOKEN.test(value)) wrong(path, `a header name, or false to leave it out${enabled === undefined ? '' : ' (true for X-Auth-Claims)'}`);
  return value.toLowerCase();
}

/** Checks the `forward` object. */
export function forwardConfig(path: ConfigPath, value: unknown): ForwardConfig {
  const raw = value === undefined ? {} : objectAt(path, value, KEYS);
  const config: ForwardConfig = {
    subject: headerName(child(path, 'subject'), raw.subject, DEFAULT_NAMES.subject),
    clientId: headerName(child(path, 'clientId'), raw.clientId, DEFAULT_NAMES.clientId),
    scope: headerName(child(path, 'scope'), raw.scope, DEFAULT_NAMES.scope),
    issuer: headerName(child(path, 'issuer'), raw.issuer, DEFAULT_NAMES.issuer),
    claims: headerName(child(path, 'claims'), raw.claims, undefined, 'x-auth-claims'),
    maxLength: numberAt(child(path, 'maxLength'), raw.maxLength, 1024, 16, 8192, true),
    claimsMaxLength: numberAt(child(path, 'claimsMaxLength'), raw.claimsMaxLength, 3072, 64, 16384, true),
  };
  const names = [config.subject, config.clientId, config.scope, config.issuer, config.claims].filter((name) => name !== undefined);
  if (new Set(names).size !== names.length) wrong(path, 'a different header name for each claim');
  return Object.freeze(config);
}

// Controls (CR and LF among them) could split or end a header; they carry nothing a claim needs.
const CONTROLS = /[\x00-\x1f\x7f]/g;
const TO_ENCODE = /[%\u0080-\uffff]/gu;

// Everything headerValue changes: most claim values hold none of it and are sent as they are.
const TO_CHANGE = /[\x00-\x1f\x7f%\u0080-\uffff]/u;

/** A claim value as a header value: controls removed, `%` and non-ASCII encoded; `''` when longer than `max`. */
export function headerValue(value: unknown, max: number): string {
  if (typeof value !== 'string') return '';
  if (!TO_CHANGE.test(value)) return value.length > max ? '' : value;
  const encoded = value.replace(CONTROLS, '').replace(TO_ENCODE, (char) => {
    try {
      return encodeURIComponent(char);
    } catch {
      return ''; // a lone surrogate has no UTF-8 form
    }
  });
  return encoded.length > max ? '' : encoded;
}

const scopeText = (claims: AccessTokenClaims): string => [...grantedScopes(claims)].join(' ');

/**
 * The headers of a 200 for `claims` as a flat `[name, value, …]` list (what `writeHead` takes
 * without copying); every configured name, `''` where there is nothing to say (and for
 * anonymous routes).
 */
export function claimHeaderList(config: ForwardConfig, claims: AccessTokenClaims | undefined): string[] {
  const list: string[] = [];
  const { subject, clientId, scope, issuer, maxLength } = config;
  if (subject !== undefined) list.push(subject, claims === undefined ? '' : headerValue(claims.sub, maxLength));
  if (clientId !== undefined) list.push(clientId, claims === undefined ? '' : headerValue(typeof claims.client_id === 'string' ? claims.client_id : claims.azp, maxLength));
  if (scope !== undefined) list.push(scope, claims === undefined ? '' : headerValue(scopeText(claims), maxLength));
  if (issuer !== undefined) list.push(issuer, claims === undefined ? '' : headerValue(claims.iss, maxLength));
  if (config.claims !== undefined) {
    const encoded = claims === undefined ? '' : Buffer.from(JSON.stringify(claims)).toString('base64url');
    list.push(config.claims, encoded.length > config.claimsMaxLength ? '' : encoded);
  }
  return list;
}

/** {@link claimHeaderList} as a record. */
export function claimHeaders(config: ForwardConfig, claims: AccessTokenClaims | undefined): Record<string, string> {
  const list = claimHeaderList(config, claims);
  const headers: Record<string, string> = {};
  for (let i = 0; i < list.length; i += 2) headers[list[i] as string] = list[i + 1] as string;
  return headers;
}
