// Option checks run once, in the factories. Misuse is a programming error, so it throws
// TypeError/RangeError naming the option; a bad token never reaches these.

export function fail(name: string, expected: string): never {
  throw new TypeError(`tokenwarden: option "${name}" must be ${expected}`);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A finite number of seconds within [min, max]; `undefined` gives the default. */
export function seconds(name: string, value: unknown, fallback: number, min = 0, max = 10 * 365 * 86400): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(name, 'a finite number of seconds');
  if (value < min || value > max) {
    throw new RangeError(`tokenwarden: option "${name}" must be between ${min} and ${max} seconds, got ${value}`);
  }
  return value;
}

/** A positive safe integer within [min, max]; `undefined` gives the default. */
export function integer(name: string, value: unknown, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(name, 'an integer');
  if (value < min || value > max) {
    throw new RangeError(`tokenwarden: option "${name}" must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

export function boolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(name, 'a boolean');
  return value;
}

/** One non-empty string or a non-empty array of them, de-duplicated. */
export function stringList(name: string, value: unknown): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) fail(name, 'a non-empty string or a non-empty array of strings');
  for (const item of list) {
    if (typeof item !== 'string' || item.length === 0) fail(name, 'a non-empty string or a non-empty array of strings');
  }
  return [...new Set(list as string[])];
}

/** An array of non-empty strings, possibly empty (a list whose default is `[]`), de-duplicated. */
export function stringArray(name: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.length === 0)) {
    fail(name, 'an array of non-empty strings');
  }
  return [...new Set(value as string[])];
}

/** Rejects keys the factory does not know, so a typo (`audiance`) is caught at start-up. */
export function knownKeys(name: string, value: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`tokenwarden: unknown option "${name ? `${name}.` : ''}${key}"`);
    }
  }
}

/** The options object of `factory` (`createVerifier`, `requireRoles`…): a plain object. */
export function optionsObject(factory: string, value: unknown): Record<string, unknown> {
  if (!isPlainObject(value)) throw new TypeError(`tokenwarden: ${factory} needs an options object`);
  return value;
}

/** A function, or `undefined` when the option is not set. */
export function optionalFunction<F extends (...args: never[]) => unknown>(name: string, value: unknown, expected = 'a function'): F | undefined {
  if (value !== undefined && typeof value !== 'function') fail(name, expected);
  return value as F | undefined;
}

/** One of `allowed`; `undefined` gives the default. */
export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) fail(name, allowed.map((item) => JSON.stringify(item)).join(' or '));
  return value as T;
}

/** Throws for an option whose value is the right type but unusable, saying why (`problem`). */
export function unusable(name: string, problem: string): never {
  throw new TypeError(`tokenwarden: option "${name}" ${problem}`);
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), so it is safe in a challenge.
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** True for a scope token of RFC 6749 §3.3: printable ASCII without spaces, quotes or backslashes. */
export function isScopeToken(value: unknown): value is string {
  return typeof value === 'string' && SCOPE_TOKEN.test(value);
}
