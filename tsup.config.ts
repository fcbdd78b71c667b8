import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  // Shared code lands in chunks, so `tokenwarden` and `tokenwarden/testing` share one
  // AccessTokenError class and `instanceof` works across subpaths.
  splitting: true,
  treeshake: true,
});
