// Checks for the gateway's JSON config, each naming the path of the value it refuses
// (`routes[2].scopes must be an array of scope strings`). Config mistakes are TypeErrors, like
// every option mistake in tokenwarden: `tokenwarden serve` prints the message and exits 2.
import { isPlainObject } from '../lib/options.js';

/** `routes[2].scopes`, `forward.subject`: the path of a value in the config file. */
export type ConfigPath = string;

/** Joins a key to its parent's path. */
export const child = (path: ConfigPath, key: string | number): ConfigPath =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;

/** Throws the TypeError for a value that is not what `path` must be. */
export function wrong(path: ConfigPath, expected: string): never {
  throw new TypeError(`${path} must be ${expected}`);
}

/** An object with only `allowed` keys (an unknown key is a typo until proven otherwise). */
export function objectAt(path: ConfigPath, value: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(value)) wrong(path || 'the config', 'a JSON object');
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new TypeError(`${child(path, key)} is not a known key (known here: ${allowed.join(', ')})`);
  }
  return value;
}

/** A non-empty string; `undefined` gives the fallback. */
export function stringAt(path: ConfigPath, value: unknown, fallback: string): string;
export function stringAt(path: ConfigPath, value: unknown, fallback?: undefined): string | undefined;
export function stringAt(path: ConfigPath, value: unknown, fallback?: string): string | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '') wrong(path, 'a non-empty string');
  return value;
}

/** `true` or `false`; `undefined` gives the fallback. */
export function booleanAt(path: ConfigPath, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') wrong(path, 'true or false');
  return value;
}

/** A number within [min, max]; `undefined` gives the fallback. */
export function numberAt(path: ConfigPath, value: unknown, fallback: number, min: number, max: number, integer = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isSafeInteger(value))) {
    wrong(path, integer ? 'an integer' : 'a number');
  }
  if (value < min || value > max) throw new RangeError(`${path} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** A non-empty array whose items pass `item` (its message says what one item must be). */
export function listAt<T>(path: ConfigPath, value: unknown, what: string, item: (value: unknown) => value is T): T[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every(item)) wrong(path, what);
  return [...new Set(value)];
}

/** One of `allowed`; `undefined` gives the fallback. */
export function oneOfAt<T extends string>(path: ConfigPath, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) wrong(path, `one of ${allowed.map((name) => JSON.stringify(name)).join(', ')}`);
  return value as T;
}

/** Item check for {@link listAt}: a string with something in it. */
export const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';
