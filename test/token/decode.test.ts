import { describe, expect, it } from 'vitest';
import { decodeBase64url, decodeJsonObject, hasDuplicateMember } from '../../src/token/decode.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64url');

describe('decodeBase64url', () => {
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

  it('keeps __proto__ as an own member without touching any prototype', () => {
    const value = decodeJsonObject(b64('{"__proto__":{"polluted":true}}'))!;
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });
});

describe('hasDuplicateMember', () => {
  it.each([
    ['a top-level duplicate', '{"a":1,"a":2}'],
    ['a nested duplicate', '{"x":{"a":1,"b":2,"a":3}}'],
    ['a duplicate inside an array of objects', '{"x":[{"a":1},{"b":1,"b":2}]}'],
    ['a duplicate spelled with an escape', '{"a":1,"\\u0061":2}'],
    ['a duplicate after whitespace', '{ "a" : 1 ,\n "a" : 2 }'],
    ['a duplicate among many members', `{${Array.from({ length: 40 }, (_, i) => `"m${i}":${i}`).join(',')},"m33":0}`],
    ['a duplicate after an escaped quote', '{"a\\"":1,"b":"\\"","a\\"":2}'],
  ])('finds %s', (_name, text) => {
    expect(hasDuplicateMember(text)).toBe(true);
  });

  it.each([
    ['distinct members', '{"a":1,"b":2}'],
    ['the same name in sibling objects', '{"x":{"a":1},"y":{"a":2}}'],
    ['a name that appears as a string value', '{"a":"a","b":["a","a"]}'],
    ['escaped quotes inside strings', '{"a":"\\"b\\"","b":"\\\\"}'],
    ['an empty object', '{}'],
    ['many distinct members', `{${Array.from({ length: 40 }, (_, i) => `"m${i}":${i}`).join(',')}}`],
    ['a backslash just before a closing quote', '{"a":"\\\\","b":"\\\\"}'],
  ])('accepts %s', (_name, text) => {
    expect(hasDuplicateMember(text)).toBe(false);
  });
});
