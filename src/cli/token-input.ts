import { UsageError, type CliIo } from './io.js';

/**
 * The token a command was given: the argument itself, or standard input for `-` (which keeps
 * it out of shell history and the process list). Surrounding whitespace and a leading
 * `Bearer ` (as copied from a header) are dropped.
 */
export async function readToken(argument: string | undefined, io: CliIo): Promise<string> {
  if (argument === undefined) throw new UsageError('a token is needed: pass it, or - to read it from standard input');
  const raw = argument === '-' ? await io.readStdin() : argument;
  const token = raw.trim().replace(/^bearer\s+/i, '');
  if (token === '') throw new UsageError('the token is empty');
  return token;
}
