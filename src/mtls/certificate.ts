// The client certificate of a request, as DER bytes, for its RFC 8705 §3.1 thumbprint
// (`x5t#S256`: base64url of the SHA-256 of the DER). It comes from the TLS connection, or,
// behind a TLS-terminating proxy, from a header that proxy sets, and then only when the
// request comes from that proxy's address (anyone else could write the header).
import { decodeBase64url } from '../token/decode.js';

/** A client certificate as the caller has it: DER bytes, PEM text, or an `X509Certificate`. */
export type ClientCertificate = Uint8Array | string | { readonly raw: Uint8Array };

// Certificates beyond this are refused unread: a proxy header is attacker-sized otherwise.
const MAX_CERTIFICATE_CHARACTERS = 32_768;
const PEM = /^-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----\s*$/;

/** Standard base64 (PEM, RFC 9440 byte sequences) to bytes, or `undefined`. */
function fromBase64(text: string): Uint8Array | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
  const unpadded = compact.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return decodeBase64url(unpadded);
}

/** The DER bytes of `value`, or `undefined` when it is none of the accepted forms. */
export function certificateDer(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value.length > 0 ? value : undefined;
  if (typeof value === 'string') {
    if (value.length > MAX_CERTIFICATE_CHARACTERS) return undefined;
    const match = PEM.exec(value.trim());
    return match === null ? undefined : fromBase64(match[1] as string);
  }
  if (typeof value === 'object' && value !== null && (value as { raw?: unknown }).raw instanceof Uint8Array) {
    return certificateDer((value as { raw: Uint8Array }).raw);
  }
  return undefined;
}

/**
 * The certificate in a proxy's header value: an RFC 9440 `Client-Cert` byte sequence
 * (`:base64 DER:`), or PEM, plain or URL-encoded (nginx's `$ssl_client_escaped_cert`).
 */
export function forwardedCertificateDer(value: string): Uint8Array | undefined {
  if (value.length > MAX_CERTIFICATE_CHARACTERS) return undefined;
  const text = value.trim();
  if (text.length > 2 && text.startsWith(':') && text.endsWith(':')) return fromBase64(text.slice(1, -1));
  let pem = text;
  if (pem.startsWith('-----BEGIN%20') || pem.includes('%0A')) {
    try {
      pem = decodeURIComponent(pem);
    } catch {
      return undefined;
    }
  }
  return certificateDer(pem);
}

/** Addresses as sockets report them: IPv4-mapped IPv6 (`::ffff:10.0.0.1`) read as IPv4. */
export function normaliseAddress(address: string): string {
  const lower = address.trim().toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}
