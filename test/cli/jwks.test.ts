import { createHash, generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { readKeySet, reportKey } from '../../src/cli/jwks.js';
import { run } from '../../src/cli/run.js';
import { thumbprintInput } from '../../src/jwks/thumbprint.js';
import { SUPPORTED_ALGORITHMS, type Algorithm } from '../../src/token/algorithms.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { closeServers, refusedPort } from '../helpers/jwks-server.js';
import { keySet, makeKey, serveKeySet } from '../jwks/support.js';
import { memoryIo } from './support.js';

const ALL = new Set<Algorithm>(SUPPORTED_ALGORITHMS);
const issuers: TestIssuer[] = [];
afterEach(async () => {
  await Promise.all(issuers.splice(0).map((issuer) => issuer.close()));
  await closeServers();
});

describe('tokenwarden jwks', () => {
  it('finds the key set through discovery and reports each key with its RFC 7638 thumbprint', async () => {
    const issuer = await createTestIssuer({ algorithm: 'ES256' });
    issuers.push(issuer);

    const report = await readKeySet(issuer.issuer, { allowed: ALL, timeout: 5 });

    expect(report).toMatchObject({ jwksUri: issuer.jwksUri, source: 'discovery' });
    const [jwk] = issuer.jwks().keys;
    const expected = createHash('sha256').update(thumbprintInput(jwk as Record<string, unknown>) as string).digest('base64url');
    expect(report.keys).toEqual([
      { kid: jwk?.kid, kty: 'EC', size: 'P-256', alg: 'ES256', use: 'sig', thumbprint: expected, algorithms: ['ES256'], unusable: undefined },
    ]);
  });

  it('reads a URL that is not an issuer as the key set itself', async () => {
    const key = await makeKey({ alg: 'RS256' });
    const server = await serveKeySet(keySet(key));

    const report = await readKeySet(server.jwksUri, { allowed: ALL, timeout: 5 });

    expect(report.source).toBe('direct');
    expect(report.keys[0]).toMatchObject({ kty: 'RSA', size: '2048 bits', algorithms: ['RS256'] });
  });

  it('says why each unusable key is not used', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const reasons = await Promise.all(
      [
        { ...weak, kid: 'short' },
        { kty: 'EC', crv: 'P-256', kid: 'enc', use: 'enc', x: 'AA', y: 'AA' },
        { kty: 'oct', kid: 'secret', k: 'c2VjcmV0' },
        { kty: 'EC', crv: 'P-256', kid: 'half', x: 'AA' },
        { kty: 'EC', crv: 'P-256', kid: 'off-curve', x: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', y: 'AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      ].map(async (jwk) => (await reportKey(jwk, ALL)).unusable),
    );

    expect(reasons[0]).toMatch(/1024 bits, under 2048/);
    expect(reasons[1]).toMatch(/"use" is not "sig"/);
    expect(reasons[2]).toMatch(/no allowed algorithm fits its type \(oct\)/);
    expect(reasons[3]).toMatch(/member "y" is missing/);
    expect(reasons[4]).toMatch(/cannot import/);
  });

  it('judges keys under the algorithms given', async () => {
    const key = await makeKey({ alg: 'ES256' });
    const report = await reportKey(key.jwk, new Set<Algorithm>(['RS256']));

    expect(report.unusable).toMatch(/"alg" ES256 is not allowed/);
  });

  it('exits 0 with a usable key, 1 with none, 3 when the issuer cannot be reached, 2 for a usage mistake', async () => {
    const good = await serveKeySet(keySet(await makeKey()));
    const none = await serveKeySet(keySet({ kty: 'oct', k: 'c2VjcmV0' }));
    const out = memoryIo();

    expect(await run(['jwks', good.jwksUri], out)).toBe(0);
    expect(out.stdout()).toMatch(/1 keys, 1 usable/);
    expect(await run(['jwks', none.jwksUri], memoryIo())).toBe(1);
    const down = memoryIo();
    expect(await run(['jwks', `http://127.0.0.1:${await refusedPort()}`], down)).toBe(3);
    expect(down.stderr()).toMatch(/could not be read/);
    expect(await run(['jwks', 'http://example.com/jwks'], memoryIo())).toBe(2);
    expect(await run(['jwks', '--algorithms', 'HS256', good.jwksUri], memoryIo())).toBe(2);
  });
});
