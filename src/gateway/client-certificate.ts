// The client certificate a TLS-terminating proxy forwards, as DER, for certificate-bound
// tokens (RFC 8705 §3). Each proxy writes it its own way; the sidecar reads only the configured
// header (`certificateHeader`), only from a trusted proxy, in that proxy's format:
// - nginx: whatever its config sets, `$ssl_client_escaped_cert` in the shipped one (the PEM,
//   URL-encoded, per nginx's ngx_http_ssl_module documentation); PEM and RFC 9440 byte
//   sequences are read too.
// - Traefik: `X-Forwarded-Tls-Client-Cert` from its passTLSClientCert middleware (`pem: true`):
//   the PEM with its delimiters and line breaks removed, certificates separated by `,`, URL-
//   escaped in older versions (Traefik's passTLSClientCert documentation).
// - Envoy: `x-forwarded-client-cert` (XFCC, Envoy's HTTP header manipulation documentation):
//   `,`-separated elements of `;`-separated `Key=value` pairs, `Cert` the URL-encoded PEM and
//   `Hash` the hex SHA-256 of the DER.
// Anything unreadable is no certificate: a bound token then has none to match, and is refused.
import { createHash } from 'node:crypto';
import { certificateDer, forwardedCertificateDer } from '../mtls/certificate.js';
import type { ProxyKind } from './config.js';

// The same bound as the verifier's own for a forwarded certificate: attacker-sized otherwise.
const MAX_HEADER_CHARACTERS = 32_768;

function decodePercent(text: string): string | undefined {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function fromBareBase64(text: string): Uint8Array | undefined {
  const body = decodePercent(text.trim());
  if (body === undefined || body === '') return undefined;
  return certificateDer(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`);
}

/** Splits on `separator` outside double quotes (XFCC values may be quoted and hold `,` or `;`). */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\\' && quoted) i++;
    else if (char === '"') quoted = !quoted;
    else if (char === separator && !quoted) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
}

/**
 * The certificate of Envoy's XFCC header. Exactly one element is accepted: with
 * `forward_client_cert_details: SANITIZE_SET` Envoy sends only the client it terminated; several
 * elements would leave open which one is the client's. The `Cert` is needed (a `Hash` alone
 * gives no DER to hand the verifier) and, when a `Hash` comes with it, must match it.
 */
function fromXfcc(value: string): Uint8Array | undefined {
  const elements = splitOutsideQuotes(value, ',');
  if (elements.length !== 1) return undefined;
  let cert: string | undefined;
  let hash: string | undefined;
  for (const pair of splitOutsideQuotes(elements[0] as string, ';')) {
    const at = pair.indexOf('=');
    if (at < 0) continue;
    const key = pair.slice(0, at).trim().toLowerCase();
    if (key === 'cert') cert = unquote(pair.slice(at + 1).trim());
    else if (key === 'hash') hash = unquote(pair.slice(at + 1).trim()).toLowerCase();
  }
  if (cert === undefined) return undefined;
  const pem = decodePercent(cert);
  const der = pem === undefined ? undefined : certificateDer(pem);
  if (der === undefined) return undefined;
  if (hash !== undefined && createHash('sha256').update(der).digest('hex') !== hash) return undefined;
  return der;
}

/** The DER of the certificate in `value`, a `proxy`'s forwarded-certificate header; `undefined` when there is none to read. */
export function forwardedCertificate(proxy: ProxyKind, value: string): Uint8Array | undefined {
  if (value.length > MAX_HEADER_CHARACTERS || value.trim() === '') return undefined;
  if (proxy === 'envoy') return fromXfcc(value);
  if (proxy === 'traefik') {
    // The first certificate is the client's own (the leaf), any others its chain.
    const first = value.split(',', 1)[0] as string;
    return first.includes('-----BEGIN') ? forwardedCertificateDer(first) : fromBareBase64(first);
  }
  return forwardedCertificateDer(value);
}
