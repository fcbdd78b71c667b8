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
 * On the hot path for every token: string bodies are skipped with indexOf, and the names of
 * an object live in a small array until there are enough of them to want a Set.
 */
export function hasDuplicateMember(text: string): boolean {
  // The names seen in each enclosing container; `null` for an array.
  const enclosing: (Names | null)[] = [];
  let names: Names | null = null;
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let end = text.indexOf('"', i + 1);
      while (isEscaped(text, end)) end = text.indexOf('"', end + 1);
      if (expectName && names !== null) {
        const raw = text.slice(i + 1, end);
        // Compare decoded names: "a" and "\u0061" are the same member.
        const name = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (hasName(names, name)) return true;
        names = addName(names, name);
        expectName = false;
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      enclosing.push(names);
      names = [];
      expectName = true;
    } else if (c === 0x5b /* [ */) {
      enclosing.push(names);
      names = null;
      expectName = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      names = enclosing.pop() ?? null;
      expectName = false;
    } else if (c === 0x2c /* , */) {
      expectName = names !== null;
    }
  }
  return false;
}

/** A quote is escaped when an odd number of backslashes precede it. */
function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  for (let k = quote - 1; text.charCodeAt(k) === 0x5c; k--) backslashes++;
  return backslashes % 2 === 1;
}

/** Member names of one object: a small array, grown into a Set past {@link SMALL} names. */
type Names = string[] | Set<string>;

const SMALL = 16;

function hasName(names: Names, name: string): boolean {
  return Array.isArray(names) ? names.includes(name) : names.has(name);
}

function addName(names: Names, name: string): Names {
  if (!Array.isArray(names)) return names.add(name);
  names.push(name);
  return names.length < SMALL ? names : new Set(names);
}
