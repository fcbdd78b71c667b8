// Type-checks the ```ts blocks of the documentation as a user would write them: in a project
// with the repository's strict compiler options, where `tokenwarden` and each of its subpaths
// resolve to the sources tsup builds them from. All snippets go into one Program, so the whole
// check costs one type-check of the sources they import.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** One ```ts block: where it starts and what it says. */
export interface Snippet {
  /** The Markdown file, relative to the repository root. */
  readonly file: string;
  /** 1-based line, in `file`, of the block's first line of code. */
  readonly line: number;
  readonly code: string;
}

/**
 * Names a snippet may use without declaring them, as the user's surrounding code would have
 * them: the token of the request, the issuer and audience of the quick start, the claims of a
 * verified token, and the Next.js app's own `lib/auth.ts` (imported as `@/lib/auth`).
 */
export const PRELUDE = `
declare const token: string;
declare const issuer: string;
declare const audience: string;
declare const claims: import('tokenwarden').AccessTokenClaims;
declare module '@/lib/auth' {
  export const withAuth: import('tokenwarden/next').NextRouteAuth['withAuth'];
  export const middleware: import('tokenwarden/next').NextRouteAuth['middleware'];
}
`;

const FENCE = /^\s*(`{3,})\s*([\w+-]*)/;

/** Every ```ts (or ```typescript) block of `file`; blocks in other fences are left alone. */
export function extractSnippets(file: string): Snippet[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const snippets: Snippet[] = [];
  let open: { fence: string; typescript: boolean; line: number; body: string[] } | undefined;
  for (const [index, text] of lines.entries()) {
    if (open === undefined) {
      const match = FENCE.exec(text);
      if (match !== null) {
        const language = match[2] ?? '';
        open = { fence: match[1] as string, typescript: language === 'ts' || language === 'typescript', line: index + 2, body: [] };
      }
      continue;
    }
    if (text.trim() === open.fence) {
      if (open.typescript) snippets.push({ file, line: open.line, code: open.body.join('\n') });
      open = undefined;
      continue;
    }
    open.body.push(text);
  }
  if (open !== undefined) throw new Error(`${file}: the block opened before line ${open.line} is never closed`);
  return snippets;
}

/**
 * `tokenwarden` and `tokenwarden/<subpath>` → the source file each is built from, read from the
 * node build's entries in tsup.config.ts (`index` is the root, `testing/index` is `testing`).
 */
export function packageSources(): Record<string, string> {
  const config = readFileSync(join(ROOT, 'tsup.config.ts'), 'utf8');
  const entries = /const nodeEntries = \{([^}]*)\}/.exec(config)?.[1];
  if (entries === undefined) throw new Error('tsup.config.ts has no `const nodeEntries = { … }`');
  const sources: Record<string, string> = {};
  for (const [, name, source] of entries.matchAll(/'?([\w/-]+)'?\s*:\s*'([^']+)'/g)) {
    const subpath = (name as string).replace(/(^|\/)index$/, '');
    sources[subpath === '' ? 'tokenwarden' : `tokenwarden/${subpath}`] = join(ROOT, source as string);
  }
  return sources;
}

/** A compiler message, placed in the Markdown file: `README.md:42: TS2345 …`. */
export interface SnippetProblem {
  readonly at: string;
  readonly message: string;
}

export interface SnippetChecker {
  /** What the compiler says about one snippet (nothing when it compiles). */
  problems(snippet: Snippet): SnippetProblem[];
  /** Problems of the setup itself: options, or the prelude. */
  readonly setup: readonly string[];
}

const virtualPath = (snippet: Snippet, index: number): string =>
  join(ROOT, 'test/docs/__snippets__', `${index}-${snippet.file.replace(/[^\w.-]/g, '_')}-L${snippet.line}.ts`);

/** Nest code is written with legacy decorators: a Nest project's tsconfig.json enables them. */
const usesNest = (snippet: Snippet): boolean => /from 'tokenwarden\/nest'/.test(snippet.code);

/**
 * Builds one Program over every snippet (and the prelude) and answers per snippet; snippets
 * that use `tokenwarden/nest` go into a second Program with the decorator options of a Nest
 * project.
 */
export function checkSnippets(snippets: readonly Snippet[]): SnippetChecker {
  const { config, error } = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  if (error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  const paths = Object.fromEntries(Object.entries(packageSources()).map(([name, source]) => [name, [source]]));
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: true,
    // A snippet without imports is still a module of its own, so snippets never collide.
    moduleDetection: ts.ModuleDetectionKind.Force,
    paths,
  };
  const plain = checkerFor(snippets.filter((snippet) => !usesNest(snippet)), options);
  const nestSnippets = snippets.filter(usesNest);
  if (nestSnippets.length === 0) return plain;
  const nest = checkerFor(nestSnippets, { ...options, experimentalDecorators: true, emitDecoratorMetadata: true });
  return {
    setup: [...plain.setup, ...nest.setup],
    problems: (snippet) => (usesNest(snippet) ? nest : plain).problems(snippet),
  };
}

function checkerFor(snippets: readonly Snippet[], options: ts.CompilerOptions): SnippetChecker {

  const files = new Map<string, string>();
  const preludePath = join(ROOT, 'test/docs/__snippets__/prelude.d.ts');
  files.set(preludePath, PRELUDE);
  const pathOf = new Map<Snippet, string>();
  snippets.forEach((snippet, index) => {
    const path = virtualPath(snippet, index);
    pathOf.set(snippet, path);
    files.set(path, snippet.code);
  });

  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (path) => files.has(path) || fileExists.call(host, path);
  host.readFile = (path) => files.get(path) ?? readFile.call(host, path);
  host.getSourceFile = (path, languageVersion, ...rest) => {
    const text = files.get(path);
    return text === undefined ? getSourceFile.call(host, path, languageVersion, ...rest) : ts.createSourceFile(path, text, languageVersion, true);
  };
  const program = ts.createProgram({ rootNames: [...files.keys()], options, host });

  const describe = (diagnostic: ts.Diagnostic): string =>
    `TS${diagnostic.code} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
  const preludeFile = program.getSourceFile(preludePath);
  const setup = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...(preludeFile === undefined ? [] : program.getSemanticDiagnostics(preludeFile)),
  ].map(describe);

  return {
    setup,
    problems(snippet) {
      const source = program.getSourceFile(pathOf.get(snippet) ?? '');
      if (source === undefined) return [{ at: `${snippet.file}:${snippet.line}`, message: 'not part of the program' }];
      return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((diagnostic) => {
        const line = diagnostic.start === undefined ? 0 : source.getLineAndCharacterOfPosition(diagnostic.start).line;
        return { at: `${snippet.file}:${snippet.line + line}`, message: describe(diagnostic) };
      });
    },
  };
}
