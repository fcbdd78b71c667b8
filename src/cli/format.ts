// Turning what a command found into lines for people: aligned fields and times that say when.

/** `label  value` lines with the values aligned, indented by two spaces. */
export function fields(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
}

/** Rows of cells as an aligned table with a header row. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

/** "in 4 min", "3 h ago": how far `at` (seconds) is from `now` (seconds), roughly. */
export function relativeTime(at: number, now: number): string {
  const delta = at - now;
  const magnitude = Math.abs(delta);
  let amount: string;
  if (magnitude < 90) amount = `${Math.round(magnitude)} s`;
  else if (magnitude < 90 * 60) amount = `${Math.round(magnitude / 60)} min`;
  else if (magnitude < 36 * 3600) amount = `${Math.round(magnitude / 3600)} h`;
  else amount = `${Math.round(magnitude / 86400)} d`;
  return delta >= 0 ? `in ${amount}` : `${amount} ago`;
}

/** A NumericDate as an ISO date, or `undefined` when it is not a usable one. */
export function isoDate(seconds: unknown): string | undefined {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0 || seconds > 8.64e12) return undefined;
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** A value as it is shown in a field: strings as they are, the rest as JSON. */
export function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
}
