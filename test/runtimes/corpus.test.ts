// The runtimes replay the attack corpus from corpus.ts, which restates attacks.test.ts as data:
// hold the two in step, so that a section added to the corpus reaches the runtimes too.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attackCorpus } from './corpus.js';

describe('the runtime attack corpus', () => {
  it('has a group for every top-level section of test/security/attacks.test.ts, and no other', async () => {
    const source = await readFile(join(import.meta.dirname, '../security/attacks.test.ts'), 'utf8');
    const sections = [...source.matchAll(/^describe\('([^']+)'/gm)].map((match) => match[1]);
    const groups = new Set(attackCorpus('http://127.0.0.1:9/jwks.json').cases.map((item) => item.group));
    expect(sections.length).toBeGreaterThan(10);
    expect([...groups].toSorted()).toEqual(sections.toSorted());
  });
});
