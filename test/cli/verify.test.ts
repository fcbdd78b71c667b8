import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import type { VerifyReport } from '../../src/cli/verify.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { refusedPort } from '../helpers/jwks-server.js';
import { memoryIo } from './support.js';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'orders-api' });
});
afterAll(async () => {
  await issuer.close();
});

async function verify(token: string, ...options: string[]): Promise<{ code: number; report: VerifyReport; text: string }> {
  const json = memoryIo(token);
  const code = await run(['verify', '-', '--issuer', issuer.issuer, '--audience', 'orders-api', '--json', ...options], json);
  const text = memoryIo(token);
  await run(['verify', '-', '--issuer', issuer.issuer, '--audience', 'orders-api', ...options], text);
  return { code, report: JSON.parse(json.stdout()) as VerifyReport, text: text.stdout() + text.stderr() };
}

describe('tokenwarden verify', () => {
  it('accepts a valid token and shows what it grants, exit 0', async () => {
    const { code, report, text } = await verify(await issuer.sign({ sub: 'alice', scope: 'orders:read', client_id: 'web' }));

    expect(code).toBe(0);
    expect(report.outcome).toBe('accepted');
    expect(report.claims?.sub).toBe('alice');
    expect(text).toMatch(/^ACCEPTED/);
    expect(text).toMatch(/scope\s+orders:read/);
  });

  it('explains a wrong audience with the expected and the found value, exit 1', async () => {
    const { code, report, text } = await verify(await issuer.sign({ aud: 'billing-api' }));

    expect(code).toBe(1);
    expect(report).toMatchObject({ outcome: 'refused', code: 'audience_invalid', status: 401, details: { expected: ['orders-api'], found: 'billing-api' } });
    expect(text).toMatch(/unverified/);
  });

  it('says how long ago an expired token expired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { report } = await verify(await issuer.sign({ iat: now - 4 * 3600, exp: now - 3 * 3600 }));

    expect(report.code).toBe('token_expired');
    expect(String(report.details.expired)).toMatch(/\(3 h ago\)$/);
  });

  it('lists the kids the key set holds when the token names another', async () => {
    const { report } = await verify(await issuer.sign({}, { header: { kid: 'not-published' } }));

    expect(report.code).toBe('key_not_found');
    expect(report.details).toMatchObject({ kid: 'not-published', kidsInKeySet: issuer.jwks().keys.map((key) => key.kid) });
  });

  it('explains an issuer that is not trusted', async () => {
    const { report } = await verify(await issuer.sign({ iss: 'https://elsewhere.example' }));

    expect(report).toMatchObject({ code: 'issuer_invalid', details: { expected: [issuer.issuer], found: 'https://elsewhere.example' } });
  });

  it('holds the token to the options given', async () => {
    const { report } = await verify(await issuer.sign({}, { header: { typ: 'JWT' } }), '--typ', 'at+jwt');

    expect(report).toMatchObject({ code: 'type_invalid', details: { expected: 'at+jwt', found: 'JWT' } });
  });

  it('never prints the token or its signature', async () => {
    const token = await issuer.sign({ aud: 'billing-api' });
    const signature = token.slice(token.lastIndexOf('.') + 1);
    const { text } = await verify(token);
    const json = JSON.stringify((await verify(token)).report);

    expect(text + json).not.toContain(signature);
    expect(text + json).not.toContain(token);
  });

  it('exits 3 when the key set cannot be fetched', async () => {
    const { code, report } = await verify(await issuer.sign(), '--jwks-uri', `http://127.0.0.1:${await refusedPort()}/jwks.json`, '--timeout', '2');

    expect(code).toBe(3);
    expect(report.outcome).toBe('unavailable');
    expect(report.code).toBe('jwks_unavailable');
  });

  it('exits 2 without an issuer or audience, or with an option the verifier refuses', async () => {
    const token = await issuer.sign();
    const missing = memoryIo(token);
    expect(await run(['verify', '-', '--audience', 'a'], missing)).toBe(2);
    expect(missing.stderr()).toMatch(/--issuer is required/);
    const refused = memoryIo(token);
    expect(await run(['verify', '-', '--issuer', issuer.issuer, '--audience', 'a', '--algorithms', 'HS256'], refused)).toBe(2);
    expect(refused.stderr()).toMatch(/"algorithms"/);
  });
});
