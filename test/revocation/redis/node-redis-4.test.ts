import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { describeRedisStore } from './behaviour.js';

// The alias must really be the older major, or this file would test v5 twice.
it('runs against node-redis 4', () => {
  const { version } = createRequire(import.meta.url)('redis4/package.json') as { version: string };
  expect(version).toMatch(/^4\./);
});

describeRedisStore('node-redis-4');
