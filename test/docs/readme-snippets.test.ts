// Every ```ts block of README.md and docs/*.md compiles under the repository's strict options
// (strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess, verbatimModuleSyntax), with
// `tokenwarden/...` imports resolved to the sources. A failure names the block's line in its
// Markdown file and the compiler's message. Code that is deliberately not TypeScript uses
// another fence (```sh, ```text, ```js).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSnippets, extractSnippets, packageSources, ROOT, type Snippet, type SnippetChecker } from './snippets.js';

const documents = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`)];
const snippets = documents.flatMap(extractSnippets);

// Each line would be accepted without the option named beside it; the check must refuse all three.
const STRICTNESS_PROBE: Snippet = {
  file: 'strictness probe',
  line: 1,
  code: [
    "const jti: string = claims.jti; // strictNullChecks: jti is optional",
    "const first: string = ['a'][0]; // noUncheckedIndexedAccess",
    'const optional: { a?: string } = { a: undefined }; // exactOptionalPropertyTypes',
  ].join('\n'),
};

let checker: SnippetChecker;

beforeAll(() => {
  checker = checkSnippets([...snippets, STRICTNESS_PROBE]);
}, 120_000);

describe('code in the documentation', () => {
  it('finds the snippets of the README and of every docs page', () => {
    const files = new Set(snippets.map((snippet) => snippet.file));
    expect(snippets.filter((snippet) => snippet.file === 'README.md').length).toBeGreaterThanOrEqual(10);
    expect(files.size).toBeGreaterThan(1);
  });

  it('maps every subpath the package exports to the source it is built from', () => {
    const exported = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: object }).exports)
      .filter((subpath) => subpath !== './package.json')
      .map((subpath) => (subpath === '.' ? 'tokenwarden' : `tokenwarden/${subpath.slice(2)}`));
    expect(Object.keys(packageSources()).sort()).toEqual(exported.sort());
  });

  it('checks under the repository options and a prelude that compile', () => {
    expect(checker.setup).toEqual([]);
  });

  it('refuses what the strict options refuse, so a passing snippet means something', () => {
    const problems = checker.problems(STRICTNESS_PROBE);
    expect(problems.map((problem) => `${problem.at} ${problem.message.slice(0, 6)}`)).toEqual([
      'strictness probe:1 TS2322',
      'strictness probe:2 TS2322',
      'strictness probe:3 TS2375',
    ]);
  });

  it.each(snippets.map((snippet) => [`${snippet.file}:${snippet.line}`, snippet] as const))(
    'compiles the block at %s under strict',
    (_at, snippet) => {
      const problems = checker.problems(snippet).map((problem) => `${problem.at}: ${problem.message}`);
      expect(problems).toEqual([]);
    },
  );
});
