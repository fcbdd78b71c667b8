// Bundles what runs inside a runtime with esbuild, against the consumer project that holds the
// packed package: the test modules it is made of import src/ for their types, and here those
// imports become `tokenwarden` and `tokenwarden/hono`, resolved in the consumer project as a
// user's bundler resolves them (bundled with the runtime's conditions), or left for the runtime
// itself to resolve (external).
import { relative, resolve } from 'node:path';
import { build, type ImportKind, type OnResolveResult, type Plugin } from 'esbuild';

const root = resolve(import.meta.dirname, '../..');

/** The package subpath each src/ module the harness imports stands for. */
const PACKAGE_OF: Readonly<Record<string, string>> = {
  'src/index': 'tokenwarden',
  'src/adapters/hono': 'tokenwarden/hono',
};
/** Imported by the shared test helpers for their Node-side halves only (servers, raw HTTP). */
const NODE_SIDE = /^(node:http|node:net|@hono\/node-server)$/;

export type PackageResolution =
  | { readonly bundle: true; readonly platform: 'browser' | 'neutral'; readonly conditions: readonly string[] }
  | { readonly bundle: false };

export interface HarnessBundle {
  /** The entry: worker.ts, or a serve entry that imports it. */
  readonly entry: string;
  /** Where to write the bundle: inside `project`, so that what stays external resolves there. */
  readonly outfile: string;
  /** The consumer project, with the packed tokenwarden and hono installed. */
  readonly project: string;
  readonly packages: PackageResolution;
}

/** Bundles the harness; returns the package files that went into it (relative to the project). */
export async function bundleHarness(options: HarnessBundle): Promise<string[]> {
  const { project, packages } = options;
  const inProject = (path: string): boolean => !relative(project, path).startsWith('..');

  const harness: Plugin = {
    name: 'runtime-harness',
    setup(pluginBuild) {
      const fromProject = async (specifier: string, kind: ImportKind): Promise<OnResolveResult> => {
        if (!packages.bundle) return { path: specifier, external: true };
        const found = await pluginBuild.resolve(specifier, { kind, resolveDir: project, pluginData: { fromProject: true } });
        return found.errors.length > 0 ? { errors: found.errors } : { path: found.path };
      };
      pluginBuild.onResolve({ filter: NODE_SIDE }, (args) => ({ path: args.path, namespace: 'node-side' }));
      // Never called inside a runtime; an empty CommonJS module satisfies the named imports.
      pluginBuild.onLoad({ filter: /.*/, namespace: 'node-side' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
      pluginBuild.onResolve({ filter: /\/src\// }, (args) => {
        if (inProject(args.importer)) return undefined;
        const module = relative(root, resolve(args.resolveDir, args.path)).replace(/\.[cm]?[jt]s$/, '');
        const specifier = PACKAGE_OF[module];
        if (specifier === undefined) {
          return { errors: [{ text: `${args.importer} imports ${args.path}: the harness may reach the package only through ${Object.values(PACKAGE_OF).join(' and ')}` }] };
        }
        return fromProject(specifier, args.kind);
      });
      // Bare imports of the harness (hono) come from the consumer project, like the package.
      pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => {
        if ((args.pluginData as { fromProject?: boolean } | undefined)?.fromProject || inProject(args.importer)) return undefined;
        return fromProject(args.path, args.kind);
      });
    },
  };

  const result = await build({
    entryPoints: [options.entry],
    outfile: options.outfile,
    absWorkingDir: project,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: packages.bundle ? packages.platform : 'neutral',
    ...(packages.bundle ? { conditions: [...packages.conditions] } : {}),
    // esbuild's neutral platform reads no main fields; a runtime's resolver reads these.
    ...(packages.bundle && packages.platform === 'browser' ? {} : { mainFields: ['module', 'main'] }),
    plugins: [harness],
    metafile: true,
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs).filter((input) => input.startsWith('node_modules/tokenwarden/'));
}
