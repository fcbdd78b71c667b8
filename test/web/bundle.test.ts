// The Hono and Next.js entries of the web build must load on runtimes without Node's modules:
// build them with the project's own tsup configuration (into a temporary directory, never
// dist/) and read every import the output makes.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Options } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../../tsup.config.js';

const WEB_ENTRIES = ['hono', 'next'] as const;
// Everything the web entries may import from outside the bundle.
// Runtime dependencies that are plain JavaScript and run anywhere.
const ALLOWED_PACKAGES = new Set(['jose', 'lru-cache']);
const NODE_ONLY = new Set([...builtinModules, 'undici']);

const configs = (Array.isArray(config) ? config : [config]) as Options[];
const web = configs.find((options) => options.outDir === 'dist/web');
const node = configs.find((options) => options.outDir === 'dist/node');

/** Every module specifier in the built JavaScript files of `dir`. */
async function specifiers(dir: string): Promise<Map<string, Set<string>>> {
  const byFile = new Map<string, Set<string>>();
  for (const name of await readdir(dir)) {
    if (!/\.(c|m)?js$/.test(name)) continue;
    const code = await readFile(join(dir, name), 'utf8');
    const found = new Set<string>();
    const patterns = [/\bfrom\s*["']([^"']+)["']/g, /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g, /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g, /^\s*import\s*["']([^"']+)["']/gm];
    for (const pattern of patterns) for (const match of code.matchAll(pattern)) found.add(match[1] as string);
    byFile.set(name, found);
  }
  return byFile;
}

const isNodeOnly = (specifier: string): boolean => specifier.startsWith('node:') || NODE_ONLY.has(specifier.split('/')[0] as string);

async function buildInto(options: Options, entry: Record<string, string>): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'tokenwarden-bundle-'));
  await build({ ...options, entry, outDir, config: false, dts: false, sourcemap: false, silent: true, clean: false });
  return outDir;
}

describe('web build of the Hono and Next.js adapters', () => {
  let webOut: string;
  let nodeOut: string;

  beforeAll(async () => {
    expect(web?.entry).toBeDefined();
    const entries = web?.entry as Record<string, string>;
    const picked = Object.fromEntries(WEB_ENTRIES.map((name) => [name, entries[name] as string]));
    webOut = await buildInto(web as Options, picked);
    // The same entries in the Node build, as a control: the detector must see undici there.
    nodeOut = await buildInto({ ...(node as Options), clean: false }, picked);
  }, 120_000);
  afterAll(async () => {
    for (const dir of [webOut, nodeOut]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is configured: tsup.config.ts has a web build with both entries', () => {
    const entries = web?.entry as Record<string, string>;
    expect(entries.hono).toBe('src/adapters/hono.ts');
    expect(entries.next).toBe('src/adapters/next.ts');
  });

  it('imports no node-only module, neither node: builtins nor undici, in any output file', async () => {
    const files = await specifiers(webOut);
    expect([...files.keys()]).toEqual(expect.arrayContaining(['hono.js', 'hono.cjs', 'next.js', 'next.cjs']));
    for (const [file, found] of files) {
      const nodeOnly = [...found].filter(isNodeOnly);
      expect(nodeOnly, `${file} imports ${nodeOnly.join(', ')}`).toEqual([]);
    }
  });

  it('imports no framework at runtime and nothing outside the bundle but jose', async () => {
    const external = new Set<string>();
    for (const found of (await specifiers(webOut)).values()) {
      for (const specifier of found) if (!specifier.startsWith('.')) external.add(specifier);
    }
    expect([...external].filter((specifier) => !ALLOWED_PACKAGES.has(specifier))).toEqual([]);
  });

  it('control: the Node build of the same entries does import undici and node: modules', async () => {
    const all = new Set<string>();
    for (const found of (await specifiers(nodeOut)).values()) for (const specifier of found) all.add(specifier);
    expect(all.has('undici')).toBe(true);
    expect([...all].some((specifier) => specifier.startsWith('node:'))).toBe(true);
  });
});
