// Strict decoding of the pieces of a compact JWS. Lenient decoders are how malleable tokens
// get through (padding, `+`/`/`, whitespace, non-canonical trailing bits, invalid UTF-8,
// duplicate JSON members that two parsers resolve differently), so each is refused here.

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const hasBuffer = typeof Buffer === 'function';

/** Decodes canonical unpadded base64url, or returns `undefined` for anything else. */
export function decodeBase64url(segment: string): Uint8Array | undefined {
  const remainder = segment.length % 4;
  if (remainder === 1 || !BASE64URL.test(segment)) return undefined;
  if (remainder !== 0) {
    // The bits of the last character that fall past the final byte must be zero, or two
    // different strings would decode to the same bytes.
    const last = ALPHABET.indexOf(segment.charAt(segment.length - 1));
    if ((last & (remainder === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  }
  if (hasBuffer) return Buffer.from(segment, 'base64url');
  const binary = atob(segment.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// `fatal` refuses invalid UTF-8 instead of replacing it; `ignoreBOM` keeps a BOM in the text
// so that JSON.parse refuses it rather than the decoder silently dropping it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes a base64url segment holding a UTF-8 JSON object, or returns `undefined`. */
export function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  const bytes = decodeBase64url(segment);
  if (bytes === undefined) return undefined;
  let text: string;
  let value: unknown;
  try {
    text = utf8.decode(bytes);
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (hasDuplicateMember(text)) return undefined;
  return value as Record<string, unknown>;
}

/**
 * True when any object in `text` (already known to be valid JSON) names a member twice.
 * JSON.parse silently keeps the last one; another parser may keep the first, so a token
 * could mean different things to the issuer, a gateway and us (RFC 7515 §5.2 lets us refuse).
 */
export function hasDuplicateMember(text: string): boolean {
  // One entry per open container: the member names seen so far, or null for an array.
  const open: (Set<string> | null)[] = [];
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) {
          escaped = true;
          i++;
        } else if (d === 0x22) {
          break;
        }
      }
      if (expectName) {
        // Compare decoded names: "a" and "\u0061" are the same member.
        const name = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : text.slice(start + 1, i);
        const names = open[open.length - 1];
        if (names) {
          if (names.has(name)) return true;
          names.add(name);
        }
        expectName = false;
      }
    } else if (c === 0x7b /* { */) {
      open.push(new Set());
      expectName = true;
    } else if (c === 0x5b /* [ */) {
      open.push(null);
      expectName = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      open.pop();
      expectName = false;
    } else if (c === 0x2c /* , */) {
      expectName = open[open.length - 1] != null;
    }
  }
  return false;
}
