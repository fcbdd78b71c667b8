// Which peers may tell the sidecar what the original request was: forwarding headers
// (X-Original-*, X-Forwarded-*, Envoy's path) are believed only from these addresses. Exact
// IPs and CIDR ranges, IPv4 and IPv6; an IPv4-mapped IPv6 peer (::ffff:10.0.0.1, how a dual-stack
// socket reports IPv4 clients) matches the IPv4 entries.
import { isIP } from 'node:net';

/** Decides whether a peer address is a configured proxy. */
export interface TrustedProxies {
  trusts(address: string | undefined): boolean;
}

interface Range {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

function ipv4Bytes(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

function ipv6Bytes(text: string): Uint8Array {
  let source = text;
  // A trailing dotted IPv4 part (::ffff:1.2.3.4) is two groups.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(source);
  if (dotted !== null) {
    const [a, b, c, d] = ipv4Bytes(dotted[2] as string);
    source = `${dotted[1] as string}${(((a as number) << 8) | (b as number)).toString(16)}:${(((c as number) << 8) | (d as number)).toString(16)}`;
  }
  const [head = '', tail] = source.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
}

/** 4 bytes for IPv4 (and IPv4-mapped IPv6), 16 for IPv6, `undefined` for anything else. */
export function addressBytes(address: string): Uint8Array | undefined {
  const plain = address.replace(/%.*$/, '');
  const family = isIP(plain);
  if (family === 4) return ipv4Bytes(plain);
  if (family !== 6) return undefined;
  const bytes = ipv6Bytes(plain);
  const mapped = bytes.subarray(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

/** Parses one entry (`10.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`); `undefined` when it is none of these. */
export function parseRange(entry: string): Range | undefined {
  const [address = '', prefixText, extra] = entry.split('/');
  if (extra !== undefined) return undefined;
  const bytes = addressBytes(address);
  if (bytes === undefined) return undefined;
  const bits = bytes.length * 8;
  if (prefixText === undefined) return { bytes, prefix: bits };
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix <= bits ? { bytes, prefix } : undefined;
}

function contains(range: Range, bytes: Uint8Array): boolean {
  if (range.bytes.length !== bytes.length) return false;
  let left = range.prefix;
  for (let i = 0; left > 0; i++, left -= 8) {
    const mask = left >= 8 ? 0xff : (0xff << (8 - left)) & 0xff;
    if (((range.bytes[i] as number) & mask) !== ((bytes[i] as number) & mask)) return false;
  }
  return true;
}

/** The matcher for checked entries (see {@link parseRange}). */
export function createTrustedProxies(entries: readonly string[]): TrustedProxies {
  const ranges = entries.map((entry) => parseRange(entry) as Range);
  return {
    trusts(address) {
      if (address === undefined || ranges.length === 0) return false;
      const bytes = addressBytes(address);
      return bytes !== undefined && ranges.some((range) => contains(range, bytes));
    },
  };
}
