// The search every "never leaks a token" test runs: what was published is written out in full
// and searched for any run of WINDOW characters of a secret.

/** Any 16 characters in a row of a token count as a leak: part of a signature is still too much. */
export const WINDOW = 16;

/** Everything reachable from `value`, as text: own properties, and an error's message, stack and cause. */
export function writeOut(value: unknown, seen = new Set<unknown>()): string {
  if (typeof value !== 'object' || value === null) return String(value);
  if (seen.has(value)) return '';
  seen.add(value);
  const parts: string[] = [];
  if (value instanceof Error) parts.push(value.name, value.message, value.stack ?? '', writeOut(value.cause, seen));
  for (const key of Reflect.ownKeys(value)) parts.push(String(key), writeOut((value as Record<PropertyKey, unknown>)[key], seen));
  return parts.join('\n');
}

/** Every run of WINDOW characters of `text`. */
function windowsOf(text: string): Set<string> {
  const windows = new Set<string>();
  for (let i = 0; i + WINDOW <= text.length; i++) windows.add(text.slice(i, i + WINDOW));
  return windows;
}

/**
 * What of `secrets` appears in `text`: any WINDOW characters in a row of one as sent (for a
 * token: its header, payload or signature), or, for a JWT, its whole decoded header.
 */
export function leaksOf(text: string, secrets: readonly string[]): string[] {
  const published = windowsOf(text);
  const leaks: string[] = [];
  for (const secret of secrets) {
    for (const window of windowsOf(secret)) if (published.has(window)) leaks.push(window);
    const header = Buffer.from(secret.split('.')[0] ?? '', 'base64url').toString('utf8');
    if (header.length >= WINDOW && text.includes(header)) leaks.push(header);
  }
  return leaks;
}
