import { describe, expect, it } from 'vitest';
import { describeInspection, inspectToken } from '../../src/cli/inspect.js';
import { run } from '../../src/cli/run.js';
import { memoryIo } from './support.js';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const NOW = 1_800_000_000;
const token = (header: Record<string, unknown>, claims: Record<string, unknown>, signature = 'c2lnbmF0dXJl'): string =>
  `${b64(header)}.${b64(claims)}.${signature}`;
const codes = (value: string): string[] => inspectToken(value, NOW).findings.map((finding) => finding.code);
const ordinary = { iss: 'https://auth.example.com', aud: 'orders-api', sub: 'alice', iat: NOW - 60, exp: NOW + 240 };

describe('tokenwarden inspect', () => {
  it('decodes header and claims, labelled unverified, with times as dates and relative to now', () => {
    const inspection = inspectToken(token({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' }, ordinary), NOW);

    expect(inspection.verified).toBe(false);
    expect(inspection.claims).toEqual(ordinary);
    expect(inspection.times.exp).toEqual({ date: '2027-01-15T08:04:00Z', relative: 'in 4 min' });
    expect(inspection.times.iat?.relative).toBe('60 s ago');
    expect(inspection.findings).toEqual([]);
    const text = describeInspection(inspection).join('\n');
    expect(text).toMatch(/^UNVERIFIED/);
    expect(text).toContain('exp  2027-01-15T08:04:00Z (in 4 min)');
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, string]>([
    ['no exp', { alg: 'RS256', typ: 'at+jwt' }, { ...ordinary, exp: undefined }, 'no_exp'],
    ['a lifetime over a day', { alg: 'RS256', typ: 'at+jwt' }, { ...ordinary, exp: NOW + 2 * 86400 }, 'long_lifetime'],
    ['alg none', { alg: 'none', typ: 'at+jwt' }, ordinary, 'unsigned'],
    ['an HMAC alg', { alg: 'HS256', typ: 'at+jwt' }, ordinary, 'symmetric'],
    ['a jku header', { alg: 'RS256', typ: 'at+jwt', jku: 'https://attacker.example/jwks' }, ordinary, 'key_in_header'],
    ['an x5u header', { alg: 'RS256', typ: 'at+jwt', x5u: 'https://attacker.example/cert' }, ordinary, 'key_in_header'],
    ['a jwk header', { alg: 'RS256', typ: 'at+jwt', jwk: { kty: 'RSA' } }, ordinary, 'key_in_header'],
    ['no typ', { alg: 'RS256' }, ordinary, 'no_typ'],
    ['an expired token', { alg: 'RS256', typ: 'at+jwt' }, { ...ordinary, exp: NOW - 10 }, 'expired'],
    ['a nested token', { alg: 'RS256', typ: 'at+jwt', cty: 'JWT' }, ordinary, 'nested'],
  ])('flags %s', (_, header, claims, code) => {
    expect(codes(token(header, claims))).toContain(code);
  });

  it('reads only the header of an encrypted token, and says so', () => {
    const jwe = `${b64({ alg: 'RSA-OAEP-256', enc: 'A256GCM', typ: 'at+jwt' })}.a2V5.aXY.Y2lwaGVy.dGFn`;
    const inspection = inspectToken(jwe, NOW);

    expect(inspection.segments).toBe(5);
    expect(inspection.claims).toBeUndefined();
    expect(codes(jwe)).toEqual(['encrypted']);
  });

  it('flags a token tokenwarden would refuse as malformed, but still shows it', () => {
    const padded = `${b64({ alg: 'RS256', typ: 'at+jwt' })}.${b64(ordinary)}=.c2ln`;
    const inspection = inspectToken(padded, NOW);

    expect(inspection.claims).toEqual(ordinary);
    expect(codes(padded)).toContain('not_canonical');
  });

  it.each(['', 'not a token', 'a.b', '%%%.%%%.%%%', 'a.b.c.d'])('never throws on %j', (input) => {
    expect(() => inspectToken(input, NOW)).not.toThrow();
  });

  it('never prints the signature, and reads the token from standard input for -', async () => {
    const signature = 'U0lHTkFUVVJFX01VU1RfTk9UX0FQUEVBUg';
    const io = memoryIo(`Bearer ${token({ alg: 'RS256', typ: 'at+jwt' }, ordinary, signature)}\n`);

    const code = await run(['inspect', '-'], io);

    expect(code).toBe(0);
    expect(io.stdout()).toContain('alice');
    expect(io.stdout() + io.stderr()).not.toContain(signature);
  });

  it('prints JSON with --json', async () => {
    const io = memoryIo();
    await run(['inspect', '--json', token({ alg: 'RS256' }, ordinary)], io);

    const parsed = JSON.parse(io.stdout()) as { verified: boolean; claims: unknown; findings: { code: string }[] };
    expect(parsed.verified).toBe(false);
    expect(parsed.claims).toEqual(ordinary);
    expect(parsed.findings.map((finding) => finding.code)).toContain('no_typ');
  });

  it('exits 1 for input that is not a JWT, and 2 for a usage mistake', async () => {
    expect(await run(['inspect', 'nonsense'], memoryIo())).toBe(1);
    const io = memoryIo();
    expect(await run(['inspect'], io)).toBe(2);
    expect(io.stderr()).toMatch(/a token is needed/);
    expect(await run(['inspect', '--nope', 'x'], memoryIo())).toBe(2);
  });
});
