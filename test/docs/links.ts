// Relative links of the Markdown pages: each must name a file that exists and, when it has a
// `#fragment` into a Markdown page, a heading of that page, with anchors made as GitHub makes them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { ROOT } from './snippets.js';

/** The pages users read: the root's, docs/, bench/ and each example's README. */
export function markdownPages(): string[] {
  const inDir = (dir: string): string[] =>
    readdirSync(join(ROOT, dir)).filter((name) => name.endsWith('.md')).map((name) => (dir === '.' ? name : `${dir}/${name}`));
  const examples = readdirSync(join(ROOT, 'examples'))
    .map((name) => `examples/${name}/README.md`)
    .filter((path) => existsSync(join(ROOT, path)));
  return [...inDir('.'), ...inDir('docs'), ...inDir('bench'), ...examples].sort();
}

/** Text outside fenced blocks, with inline code spans kept (link text may be code). */
function outsideFences(text: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const open = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence === undefined && open !== null) fence = open[1];
    else if (fence !== undefined && line.trim().startsWith(fence)) fence = undefined;
    else if (fence === undefined) lines.push(line);
  }
  return lines;
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces to `-`, repeats numbered. */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of outsideFences(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading === null) continue;
    const slug = (heading[1] ?? '').toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const count = seen.get(slug);
    anchors.add(count === undefined ? slug : `${slug}-${count + 1}`);
    seen.set(slug, (count ?? -1) + 1);
  }
  return anchors;
}

/**
 * The broken relative links of the page `file` (relative to the repository root) whose text is
 * `text`, each as `file: link (why)`. `read` gives a page's text by its root-relative path, or
 * undefined when no such file or directory exists.
 */
export function brokenLinks(file: string, text: string, read: (path: string) => string | undefined): string[] {
  const broken: string[] = [];
  const body = outsideFences(text).join('\n').replace(/`[^`\n]*`/g, (span) => span.replace(/\]\(/g, ''));
  for (const [, link] of body.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (link === undefined || /^[a-z][\w+.-]*:/i.test(link)) continue; // https:, mailto:
    const [path = '', anchor] = link.split('#', 2);
    const target = path === '' ? file : normalize(join(dirname(file), path)).replace(/\\/g, '/');
    const targetText = path === '' ? text : read(target);
    if (targetText === undefined) {
      broken.push(`${file}: ${link} (no such file)`);
    } else if (anchor !== undefined && anchor !== '' && target.endsWith('.md') && !headingAnchors(targetText).has(anchor)) {
      broken.push(`${file}: ${link} (no such heading)`);
    }
  }
  return broken;
}

/** Reads a root-relative path: a file's text, '' for a directory, undefined when absent or outside the tree. */
export function readFromTree(path: string): string | undefined {
  const absolute = join(ROOT, path);
  if (relative(ROOT, absolute).startsWith('..') || !existsSync(absolute)) return undefined;
  return statSync(absolute).isDirectory() ? '' : readFileSync(absolute, 'utf8');
}
