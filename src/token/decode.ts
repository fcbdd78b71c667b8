// Strict decoding of the pieces of a compact JWS. Lenient decoders are how malleable tokens
// get through (padding, `+`/`/`, whitespace, non-canonical trailing bits, invalid UTF-8,
// duplicate JSON members that two parsers resolve differently), so each is refused here.

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

// Node's global `Buffer` is a getter, so every mention of it is a call: it is read once here and
// handed to the decoder. Absent outside Node, where the portable decoder runs.
const NodeBuffer: typeof Buffer | undefined = typeof Buffer === 'function' ? Buffer : undefined;

/** Decodes canonical unpadded base64url, or returns `undefined` for anything else. */
export const decodeBase64url: (segment: string) => Uint8Array | undefined =
  NodeBuffer === undefined ? decodePortably : (segment) => decodeWithBuffer(NodeBuffer, segment);

function decodeWithBuffer(Buffer: BufferConstructor, segment: string): Uint8Array | undefined {
  const remainder = segment.length % 4;
  if (remainder === 1) return undefined;
  // Node's decoder is lenient, so what it may let through is refused around it, cheaper than a
  // charset scan: it reads a wide character by its low byte alone (U+0141 as "A"), so only
  // ASCII goes in; it skips characters outside its alphabets, so anything else comes out short;
  // and its alphabets include the standard + and /.
  if (Buffer.byteLength(segment, 'utf8') !== segment.length) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.length !== (segment.length * 3) >>> 2) return undefined;
  if (segment.includes('+') || segment.includes('/')) return undefined;
  return remainder === 0 || hasZeroPadBits(segment, remainder) ? bytes : undefined;
}

/**
 * The bits of the last character that fall past the final byte must be zero, or two different
 * strings would decode to the same bytes.
 */
function hasZeroPadBits(segment: string, remainder: number): boolean {
  const last = ALPHABET.indexOf(segment.charAt(segment.length - 1));
  return (last & (remainder === 2 ? 0x0f : 0x03)) === 0;
}

/** The same decoding where there is no Buffer (browsers, edge runtimes). */
export function decodePortably(segment: string): Uint8Array | undefined {
  const remainder = segment.length % 4;
  if (remainder === 1 || !BASE64URL.test(segment)) return undefined;
  if (remainder !== 0 && !hasZeroPadBits(segment, remainder)) return undefined;
  const binary = atob(segment.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// `fatal` refuses invalid UTF-8 instead of replacing it; `ignoreBOM` keeps a BOM in the text
// so that JSON.parse refuses it rather than the decoder silently dropping it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes a base64url segment holding a UTF-8 JSON object, or returns `undefined`. The object
 * comes back deep-frozen: headers and claims are shared between requests once verified.
 */
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
  // JSON.parse silently keeps the last of two members with one name; another parser may keep
  // the first, so a token could mean different things to the issuer, a gateway and us (RFC 7515
  // §5.2 lets us refuse). Each member written in the text survives as an own property unless a
  // later one of the same name replaced it, so the counts differ exactly when a name repeats.
  if (freezeCountingMembers(value) !== countMemberNames(text)) return undefined;
  return value as Record<string, unknown>;
}

/**
 * Freezes a value from JSON.parse and everything in it, and returns how many object members
 * it holds in all. Without recursion: the depth is the token author's choice.
 */
function freezeCountingMembers(root: object): number {
  let members = 0;
  const pending: object[] = [root];
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    Object.freeze(value);
    if (Array.isArray(value)) {
      for (const item of value as unknown[]) if (typeof item === 'object' && item !== null) pending.push(item);
      continue;
    }
    // for-in over a parsed object reads its shape's cached key list; Object.keys would copy it
    // into a new array for every object. Only own members count, as Object.keys would have it.
    for (const name in value) {
      if (!Object.hasOwn(value, name)) continue;
      members++;
      const member = (value as Record<string, unknown>)[name];
      if (typeof member === 'object' && member !== null) pending.push(member);
    }
  }
  return members;
}

/**
 * How many member names `text` (already known to be valid JSON) writes, in all its objects.
 * On the hot path for every token: string bodies are skipped with indexOf, and nothing is
 * allocated but the stack of enclosing containers.
 */
export function countMemberNames(text: string): number {
  // Whether each enclosing container is an object (an array's strings are never names).
  const enclosing: boolean[] = [];
  let inObject = false;
  let expectName = false;
  let names = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let end = text.indexOf('"', i + 1);
      while (isEscaped(text, end)) end = text.indexOf('"', end + 1);
      if (expectName) {
        names++;
        expectName = false;
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      enclosing.push(inObject);
      inObject = true;
      expectName = true;
    } else if (c === 0x5b /* [ */) {
      enclosing.push(inObject);
      inObject = false;
      expectName = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      inObject = enclosing.pop() ?? false;
      expectName = false;
    } else if (c === 0x2c /* , */) {
      expectName = inObject;
    }
  }
  return names;
}

/** A quote is escaped when an odd number of backslashes precede it. */
function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  for (let k = quote - 1; text.charCodeAt(k) === 0x5c; k--) backslashes++;
  return backslashes % 2 === 1;
}
