import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Focused tests must never land: fail the run if one slips in.
    allowOnly: false,
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['test/**/*.test.ts'], exclude: ['test/web/**', 'test/package/**', 'test/runtimes/**'] },
      },
      {
        // The web-runtime path under Node: src/runtime/web.ts (global fetch, jose over
        // WebCrypto) replaces src/runtime/node.ts, as the package's non-node export does.
        extends: true,
        resolve: {
          alias: [{ find: /^(.*)\/runtime\/node\.js$/, replacement: '$1/runtime/web.js' }],
        },
        // The attack corpus runs here too: every attack must get the same code on both paths.
        test: { name: 'web', include: ['test/web/**/*.test.ts', 'test/security/attacks.test.ts'] },
      },
      {
        // Type tests (test/types/*.test-d.ts): claims typed through every adapter. They are
        // also enforced by `npm run typecheck`.
        extends: true,
        test: {
          name: 'types',
          include: [],
          typecheck: { enabled: true, only: true, include: ['test/types/**/*.test-d.ts'] },
        },
      },
      {
        // Packs, installs and loads the package as users get it (builds it through prepack).
        extends: true,
        test: { name: 'package', include: ['test/package/**/*.test.ts'], testTimeout: 120_000 },
      },
      {
        // The web build on real runtimes (workerd, Bun, Deno, from their npm packages), bundled
        // from the packed package; the setup packs and installs it once. CI runs it once.
        extends: true,
        test: {
          name: 'runtimes',
          include: ['test/runtimes/**/*.test.ts'],
          globalSetup: ['test/runtimes/setup.ts'],
          hookTimeout: 180_000,
        },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      // The core a token travels through must stay exhaustively tested (enforced in .ci/run,
      // which runs the Node 20 pass with --coverage).
      thresholds: {
        'src/{token,jwks,claims,revocation}/**/*.ts': { lines: 95, branches: 95 },
      },
    },
  },
});
