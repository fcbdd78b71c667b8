// The `mtls` option of createVerifier: certificate-bound access tokens (RFC 8705 §3).
import { fail, isPlainObject, knownKeys, oneOf, stringArray } from '../lib/options.js';
import type { BindingMode } from '../dpop/options.js';
import { normaliseAddress } from './certificate.js';

/** Certificate-bound access tokens (RFC 8705 §3), checked by `verifier.verifyRequest`. */
export interface MtlsOptions {
  /**
   * `'allowed'`: a token bound to a certificate (`cnf["x5t#S256"]`) must come over a connection
   * presenting that certificate; unbound tokens are accepted. `'required'`: every token must be
   * certificate-bound. `'disabled'`: certificate-bound tokens are refused.
   * @default 'allowed'
   */
  mode?: BindingMode;
  /**
   * Header in which a TLS-terminating proxy forwards the client certificate: an RFC 9440
   * `Client-Cert` byte sequence, or PEM (plain or URL-encoded, as nginx's
   * `$ssl_client_escaped_cert`). Read only on requests from `trustedProxies`.
   * @default unset (only the connection's own certificate counts)
   */
  certificateHeader?: string;
  /**
   * Addresses of the proxies allowed to set `certificateHeader` (exact IP addresses, compared
   * with the request's `remoteAddress`).
   * @default []
   */
  trustedProxies?: readonly string[];
}

export interface MtlsSettings {
  readonly mode: BindingMode;
  readonly certificateHeader: string | undefined;
  readonly trustedProxies: ReadonlySet<string>;
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

export function resolveMtlsOptions(value: unknown): MtlsSettings {
  const settings = value ?? {};
  if (!isPlainObject(settings)) fail('mtls', 'an object');
  knownKeys('mtls', settings, ['mode', 'certificateHeader', 'trustedProxies']);
  const mode = oneOf<BindingMode>('mtls.mode', settings.mode, ['allowed', 'required', 'disabled'], 'allowed');
  let certificateHeader: string | undefined;
  if (settings.certificateHeader !== undefined) {
    const name = settings.certificateHeader;
    if (typeof name !== 'string' || !HEADER_NAME.test(name.toLowerCase())) fail('mtls.certificateHeader', 'a header name');
    certificateHeader = name.toLowerCase();
  }
  const proxies = settings.trustedProxies === undefined ? [] : stringArray('mtls.trustedProxies', settings.trustedProxies);
  if (proxies.length > 0 && certificateHeader === undefined) {
    fail('mtls.certificateHeader', 'set when mtls.trustedProxies is (the header the proxies forward the certificate in)');
  }
  return { mode, certificateHeader, trustedProxies: new Set(proxies.map(normaliseAddress)) };
}
