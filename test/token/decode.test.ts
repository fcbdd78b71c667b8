import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countMemberNames, decodeBase64url, decodeJsonObject, decodePortably } from '../../src/token/decode.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64url');

describe.each([
  ['decodeBase64url (Buffer on Node)', decodeBase64url],
  ['decodePortably (atob, for runtimes without Buffer)', decodePortably],
])('%s', (_name, decodeBase64url) => {
  it('decodes canonical unpadded base64url', () => {
    expect(Buffer.from(decodeBase64url('aGVsbG8')!).toString()).toBe('hello');
    expect(decodeBase64url('')?.length).toBe(0);
  });

  it.each([
    ['padding', 'aGVsbG8='],
    ['standard alphabet +', 'a+b'],
    ['standard alphabet /', 'a/b'],
    ['whitespace', 'aGVs bG8'],
    ['a newline', 'aGVs\nbG8'],
    ['an impossible length', 'aGVsb'],
    ['non-ASCII', 'aGVsbG8é'],
  ])('refuses %s', (_name, input) => {
    expect(decodeBase64url(input)).toBeUndefined();
  });

  it('refuses non-zero trailing bits, which would make two strings decode alike', () => {
    // "aGVsbG8" is canonical; "aGVsbG9" decodes to the same bytes in lenient decoders.
    expect(decodeBase64url('aGVsbG8')).toBeDefined();
    expect(decodeBase64url('aGVsbG9')).toBeUndefined();
    expect(decodeBase64url('QR')).toBeUndefined();
    expect(decodeBase64url('QQ')).toBeDefined();
  });

  // The definition of canonical base64url (RFC 4648 §5, no padding, §3.5 zero pad bits), written
  // out plainly, against which the decoder's round-trip check is held.
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  function isCanonical(segment: string): boolean {
    if (segment.length % 4 === 1) return false;
    if ([...segment].some((char) => !ALPHABET.includes(char))) return false;
    const padBits = segment.length % 4 === 2 ? 0x0f : segment.length % 4 === 3 ? 0x03 : 0;
    return segment.length === 0 || (ALPHABET.indexOf(segment.at(-1) as string) & padBits) === 0;
  }

  // U+0141 and U+012B are there because Node's decoder reads only the low byte of a wide
  // character: to it they are "A" and "+". Run on every Node version in CI, this holds the
  // Buffer path's reliance on how Node's lenient decoder behaves to account.
  it('accepts exactly the canonical encodings, and decodes them to their bytes', () => {
    const nearlyBase64 = fc.string({ unit: fc.constantFrom(...ALPHABET, '+', '/', '=', ' ', '\n', '.', 'é', '\u0100', '\0', '\u0141', '\u012b', '!', '\x7f', '\u00ff'), maxLength: 24 });
    fc.assert(
      fc.property(fc.oneof(nearlyBase64, fc.uint8Array({ maxLength: 24 }).map((bytes) => Buffer.from(bytes).toString('base64url'))), (segment) => {
        const bytes = decodeBase64url(segment);
        expect(bytes !== undefined).toBe(isCanonical(segment));
        if (bytes !== undefined) expect(Buffer.from(bytes).toString('base64url')).toBe(segment);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('decodeJsonObject', () => {
  it('returns the object of a JSON object segment', () => {
    expect(decodeJsonObject(b64('{"a":1,"b":[1,{"c":2}]}'))).toEqual({ a: 1, b: [1, { c: 2 }] });
  });

  it.each([
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"x"'],
    ['invalid JSON', '{"a":'],
    ['a byte-order mark', '\uFEFF{"a":1}'],
  ])('refuses %s', (_name, text) => {
    expect(decodeJsonObject(b64(text))).toBeUndefined();
  });

  it('refuses invalid UTF-8 instead of replacing it', () => {
    const bytes = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    expect(decodeJsonObject(bytes.toString('base64url'))).toBeUndefined();
  });

  it('returns the object deep-frozen, since verified claims are shared between requests', () => {
    const value = decodeJsonObject(b64('{"a":{"b":[{"c":1}]}}')) as { a: { b: { c: number }[] } };
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.a)).toBe(true);
    expect(Object.isFrozen(value.a.b)).toBe(true);
    expect(Object.isFrozen(value.a.b[0])).toBe(true);
  });

  it('keeps __proto__ as an own member without touching any prototype', () => {
    const value = decodeJsonObject(b64('{"__proto__":{"polluted":true}}'))!;
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });
});

describe('duplicate member names', () => {
  it.each([
    ['a top-level duplicate', '{"a":1,"a":2}'],
    ['a nested duplicate', '{"x":{"a":1,"b":2,"a":3}}'],
    ['a duplicate inside an array of objects', '{"x":[{"a":1},{"b":1,"b":2}]}'],
    ['a duplicate spelled with an escape', '{"a":1,"\\u0061":2}'],
    ['a duplicate after whitespace', '{ "a" : 1 ,\n "a" : 2 }'],
    ['a duplicate among many members', `{${Array.from({ length: 40 }, (_, i) => `"m${i}":${i}`).join(',')},"m33":0}`],
    ['a duplicate after an escaped quote', '{"a\\"":1,"b":"\\"","a\\"":2}'],
    ['a duplicate whose first value held objects', '{"a":{"x":{"y":1}},"a":{"x":{"y":1}}}'],
    ['a duplicate __proto__', '{"__proto__":1,"__proto__":2}'],
  ])('refuses %s', (_name, text) => {
    expect(() => JSON.parse(text) as unknown).not.toThrow();
    expect(decodeJsonObject(b64(text))).toBeUndefined();
  });

  it.each([
    ['distinct members', '{"a":1,"b":2}'],
    ['the same name in sibling objects', '{"x":{"a":1},"y":{"a":2}}'],
    ['a name that appears as a string value', '{"a":"a","b":["a","a"]}'],
    ['escaped quotes inside strings', '{"a":"\\"b\\"","b":"\\\\"}'],
    ['an empty object', '{}'],
    ['many distinct members', `{${Array.from({ length: 40 }, (_, i) => `"m${i}":${i}`).join(',')}}`],
    ['a backslash just before a closing quote', '{"a":"\\\\","b":"\\\\"}'],
    ['names that differ only past an escape', '{"a\\u0062":1,"ac":2}'],
  ])('accepts %s', (_name, text) => {
    expect(decodeJsonObject(b64(text))).toEqual(JSON.parse(text));
  });

  /** JSON text for `value`, with the first member of the `target`-th object (in text order) written twice. */
  function withDuplicate(value: unknown, target: number): { text: string; duplicated: boolean } {
    let seen = 0;
    let duplicated = false;
    const write = (node: unknown): string => {
      if (Array.isArray(node)) return `[${node.map(write).join(',')}]`;
      if (typeof node !== 'object' || node === null) return JSON.stringify(node);
      const members = Object.entries(node).map(([name, member]) => `${JSON.stringify(name)}:${write(member)}`);
      if (seen++ === target && members.length > 0) {
        members.push(members[0] as string);
        duplicated = true;
      }
      return `{${members.join(',')}}`;
    };
    return { text: write(value), duplicated };
  }

  it('refuses a repeated name in any object of any generated document, and accepts it otherwise', () => {
    const document = fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
    fc.assert(
      fc.property(document, fc.nat(8), (value, target) => {
        const plain = JSON.stringify(value);
        expect(countMemberNames(plain)).toBe(countMemberNames(withDuplicate(value, -1).text));
        expect(decodeJsonObject(b64(plain))).toEqual(JSON.parse(plain));
        const { text, duplicated } = withDuplicate(value, target);
        expect(decodeJsonObject(b64(text)) === undefined).toBe(duplicated);
      }),
      { numRuns: 2000 },
    );
  });
});
