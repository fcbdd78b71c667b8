// The error tables users read list every code tokenwarden can refuse with, and nothing else, each
// with the status the code really carries: the README's short table and docs/errors.md's full one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../../src/errors.js';
import { ROOT } from './snippets.js';

/** `code status` of each row of the first table after `heading` in `file`. */
function tableRows(file: string, heading: string): string[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const start = lines.indexOf(heading);
  if (start === -1) throw new Error(`${file} has no line "${heading}"`);
  const rows: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break;
    const row = /^\| `(\w+)` \| (\d{3}) \|/.exec(line);
    if (row !== null) rows.push(`${row[1]} ${row[2]}`);
    else if (rows.length > 0) break;
  }
  return rows;
}

const everyCode = Object.entries(ERROR_STATUS).map(([code, status]) => `${code} ${status}`);

describe('error codes in the documentation', () => {
  it('knows the closed set of codes it compares against', () => {
    expect(everyCode).toContain('token_expired 401');
    expect(everyCode).toContain('insufficient_scope 403');
    expect(everyCode).toContain('jwks_unavailable 503');
  });

  it.each([
    ['README.md', '## Errors'],
    ['docs/errors.md', '## Every code'],
  ])('%s lists every code once, in the order of ERROR_STATUS, with its status', (file, heading) => {
    expect(tableRows(file, heading)).toEqual(everyCode);
  });
});
