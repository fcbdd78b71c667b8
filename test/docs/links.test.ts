// Every relative link of README.md, docs/, bench/ and the examples' READMEs leads somewhere: a
// file that exists and, for a `#fragment` into a Markdown page, a heading of that page. Moving a
// section from the README into docs/ must not leave a link behind.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokenLinks, headingAnchors, markdownPages, readFromTree } from './links.js';
import { ROOT } from './snippets.js';

describe('links between the documentation pages', () => {
  it('finds the README, the docs pages and the examples', () => {
    const pages = markdownPages();
    expect(pages).toContain('README.md');
    expect(pages).toContain('docs/errors.md');
    expect(pages).toContain('examples/demo/README.md');
  });

  it('makes heading anchors as GitHub does', () => {
    const page = ['# Title', '## Opaque tokens (introspection)', '## At the gateway: `tokenwarden serve`', '## `client.fetch(url, init?, options?)`', '## Notes', '## Notes', '```sh', '# not a heading', '```'].join('\n');
    expect([...headingAnchors(page)]).toEqual([
      'title',
      'opaque-tokens-introspection',
      'at-the-gateway-tokenwarden-serve',
      'clientfetchurl-init-options',
      'notes',
      'notes-1',
    ]);
  });

  it('reports a link to a missing file or heading, so a clean run means something', () => {
    const pages: Record<string, string> = { 'docs/b.md': '# B\n## Known\n' };
    const page = '[ok](b.md#known) [self](#a) [gone](c.md) [anchor](b.md#unknown) [web](https://example.com/#x)\n# A\n';
    expect(brokenLinks('docs/a.md', page, (path) => pages[path])).toEqual([
      'docs/a.md: c.md (no such file)',
      'docs/a.md: b.md#unknown (no such heading)',
    ]);
  });

  it('resolves every relative link of every page to a file, and every anchor to a heading', () => {
    const broken = markdownPages().flatMap((page) => brokenLinks(page, readFileSync(join(ROOT, page), 'utf8'), readFromTree));
    expect(broken).toEqual([]);
  });
});
