// Option checks shared by the presets. The pieces a preset puts into an issuer URL are checked
// here, once, so that a typo fails at start-up naming the option, rather than as
// `issuer_invalid` on every token.
import { fail, knownKeys, optionsObject, stringList } from '../lib/options.js';

/** The preset's options object, with no key it does not know. */
export function presetOptions(preset: string, value: unknown, allowed: readonly string[]): Record<string, unknown> {
  const options = optionsObject(preset, value);
  knownKeys('', options, allowed);
  return options;
}

// RFC 1123 labels; a port is allowed for self-hosted and test set-ups.
const HOST = /^(?=.{1,253}(?::|$))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\d{1,5})?$/;

/** A host name such as `tenant.auth0.com`, in lower case as issuers write it. */
export function hostName(name: string, value: unknown, example: string): string {
  const host = typeof value === 'string' ? value.toLowerCase() : value;
  if (typeof host !== 'string' || !HOST.test(host)) {
    fail(name, `a host name such as "${example}", without "https://" or a path`);
  }
  return host;
}

/** One segment of a URL path (a realm, a project, a server id): no `/`, `?`, `#`, `%` or spaces. */
export function pathSegment(name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[^/?#%\s]+$/.test(value)) fail(name, 'a non-empty string without "/", "?", "#", "%" or spaces');
  return value;
}

/** A string matching `pattern`, described by `expected` when it does not. */
export function matching(name: string, value: unknown, pattern: RegExp, expected: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) fail(name, expected);
  return value;
}

/** One non-empty string or a non-empty array of them, kept in the shape it was given. */
export function oneOrMany(name: string, value: unknown): string | readonly string[] {
  const list = stringList(name, value);
  return list.length === 1 ? (list[0] as string) : list;
}
