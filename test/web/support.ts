// Proof that a web test runs the web runtime: the key set must be fetched through the global
// fetch (src/runtime/web.ts), never through undici (src/runtime/node.ts).
import { expect, vi } from 'vitest';
import { createVerifier } from '../../src/index.js';
import type { TestIssuer } from '../../src/testing/index.js';

export async function expectWebRuntime(issuer: TestIssuer): Promise<void> {
  const spy = vi.spyOn(globalThis, 'fetch');
  try {
    const verifier = createVerifier({ issuer: issuer.issuer, audience: 'web-check', jwksUri: issuer.jwksUri });
    await verifier.verifyAccessToken(await issuer.sign({ aud: 'web-check' }));
    expect(spy.mock.calls.map(([input]) => String(input))).toContain(issuer.jwksUri);
  } finally {
    spy.mockRestore();
  }
}
