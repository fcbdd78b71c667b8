// What request the proxy is asking about. Each proxy says it its own way: nginx in the
// X-Original-Method / X-Original-URI headers the shipped config sets, Traefik in
// X-Forwarded-Method / X-Forwarded-Uri, Envoy by sending the original method and path (under
// its path_prefix). Only the configured proxy's headers are read, and only from a trusted peer:
// a client that reaches the sidecar some other way cannot choose the route it is judged by.
// The external URL (for a DPoP proof's `htu`) comes the same way: nginx's X-Forwarded-Proto and
// X-Forwarded-Host as the shipped config sets them, Traefik's X-Forwarded-Proto/Host, and for
// Envoy the check request's Host (the original authority) and X-Forwarded-Proto.
import type { IncomingHttpHeaders } from 'node:http';
import type { ProxyKind } from './config.js';

/** The method and path (normalised, without query) routes are matched against, and the URL the client called. */
export interface OriginalRequest {
  readonly method: string;
  readonly path: string;
  /** The absolute URL as the client called it (scheme, host, raw target), for `verifyRequest`. */
  readonly url: string;
}

/** Why the original request could not be told; the sidecar answers 400. */
export type OriginalProblem = 'untrusted_forwarding' | 'missing_forwarding' | 'bad_path';

/** The request as the sidecar received it. */
export interface ReceivedRequest {
  readonly method: string;
  /** The request target (path and query). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Whether the peer is a configured proxy. */
  readonly trusted: boolean;
  /** The configured forwarded-certificate header (lower case), which only a trusted proxy may send. */
  readonly certificateHeader?: string | undefined;
}

const FORWARDING = ['x-original-uri', 'x-original-method', 'x-forwarded-uri', 'x-forwarded-method'] as const;
const METHOD = /^[A-Z]{1,20}$/;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
}

/**
 * `target`'s path as a server resolves it before choosing a location (nginx, and what Traefik
 * and Envoy route on): query removed, percent-decoding, `//` merged, `.` and `..` resolved.
 * Matching the raw text instead would let `/public/../admin` be judged as under `/public`.
 * `undefined` for a path that is not one (bad encoding, NUL, climbing above the root).
 */
// What normalising could change: without any of it a path is already in its normal form.
const NOT_PLAIN = /%|\/\/|\/\.|\0/;

export function normalisePath(target: string): string | undefined {
  const raw = target.split(/[?#]/, 1)[0] as string;
  if (!raw.startsWith('/')) return undefined;
  if (!NOT_PLAIN.test(raw)) return raw;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const segments: string[] = [];
  const parts = decoded.split('/');
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i] as string;
    const last = i === parts.length - 1;
    if (part === '.' || (part === '' && !last)) {
      if (last) segments.push('');
      continue;
    }
    if (part === '..') {
      if (segments.length === 0) return undefined;
      segments.pop();
      if (last) segments.push('');
      continue;
    }
    segments.push(part);
  }
  return `/${segments.join('/')}`;
}

// A scheme or host that is not one makes an URL that verifyRequest cannot read: it refuses the
// proof (dpop_proof_invalid), never a 500.
function externalUrl(proto: string | undefined, host: string | undefined, target: string): string {
  return `${proto === 'https' ? 'https' : proto === undefined || proto === 'http' ? 'http' : '-'}://${host ?? 'localhost'}${target}`;
}

function fromHeaders(received: ReceivedRequest, uriHeader: string, methodHeader: string): OriginalRequest | OriginalProblem {
  const { headers } = received;
  const uri = single(headers[uriHeader]);
  const method = single(headers[methodHeader]) ?? received.method;
  if (uri === undefined || !METHOD.test(method)) return 'missing_forwarding';
  const path = normalisePath(uri);
  if (path === undefined) return 'bad_path';
  return { method, path, url: externalUrl(single(headers['x-forwarded-proto']), single(headers['x-forwarded-host']) ?? single(headers.host), uri) };
}

/**
 * The original request for `proxy`. From an untrusted peer, a request carrying forwarding
 * headers is refused (`untrusted_forwarding`: it means another route than the one it arrived
 * on, and a misconfigured `trustedProxies` shows at once); one without them is judged as it
 * arrived.
 */
export function originalRequest(received: ReceivedRequest, proxy: ProxyKind, pathPrefix: string): OriginalRequest | OriginalProblem {
  if (!received.trusted) {
    const { headers, certificateHeader } = received;
    if (FORWARDING.some((name) => headers[name] !== undefined)) return 'untrusted_forwarding';
    if (certificateHeader !== undefined && headers[certificateHeader] !== undefined) return 'untrusted_forwarding';
    const path = normalisePath(received.url);
    return path === undefined ? 'bad_path' : { method: received.method, path, url: externalUrl(undefined, single(headers.host), received.url) };
  }
  if (proxy === 'nginx') return fromHeaders(received, 'x-original-uri', 'x-original-method');
  if (proxy === 'traefik') return fromHeaders(received, 'x-forwarded-uri', 'x-forwarded-method');
  // Envoy: the original method, and the original path under path_prefix.
  const target = received.url;
  if (!(target === pathPrefix || target.startsWith(`${pathPrefix}/`) || target.startsWith(`${pathPrefix}?`))) return 'missing_forwarding';
  const original = target.slice(pathPrefix.length) || '/';
  const path = normalisePath(original);
  if (path === undefined) return 'bad_path';
  const { headers } = received;
  return { method: received.method, path, url: externalUrl(single(headers['x-forwarded-proto']), single(headers.host), original.startsWith('?') ? `/${original}` : original) };
}
