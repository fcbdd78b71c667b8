// Entra ID multi-tenant: an issuer template, `{tenantid}` filled with the token's own `tid`, for
// the tenants the verifier trusts. Against a loopback issuer serving Entra-shaped metadata, keys
// and tokens (test/fixtures/providers/entra.ts says where each shape comes from).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createVerifier, type VerifierOptions } from '../src/index.js';
import { commonMetadata, makeEntraKey, PLACEHOLDER, TENANT_A, TENANT_B, API_CLIENT_ID, type EntraKey } from './fixtures/providers/entra.js';
import { sendJson, startServer, notFound, type LoopbackServer } from './helpers/jwks-server.js';
import { refusal } from './helpers/refusal.js';

const METADATA = '/common/v2.0/.well-known/openid-configuration';
const KEYS = '/common/discovery/v2.0/keys';

let server: LoopbackServer;
let origin: string;
let key: EntraKey;
let metadata: Record<string, unknown>;

beforeAll(async () => {
  server = await startServer();
  origin = server.origin;
  key = makeEntraKey(origin);
  server.handle((req, res) => {
    if (req.url === METADATA) return sendJson(res, 200, metadata);
    if (req.url === KEYS) return sendJson(res, 200, { keys: [key.jwk] });
    return notFound(req, res);
  });
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  metadata = commonMetadata(origin);
});

const template = (): string => `${origin}/${PLACEHOLDER}/v2.0`;
const requests = (): number => server.count(METADATA) + server.count(KEYS);

function entraVerifier(overrides: Partial<VerifierOptions> = {}) {
  return createVerifier({ issuer: template(), tenants: [TENANT_A, TENANT_B], audience: API_CLIENT_ID, cache: false, ...overrides });
}

describe('an issuer template', () => {
  it("verifies tokens of every trusted tenant, discovering the template's metadata at its common form once", async () => {
    metadata = commonMetadata(origin);
    const before = { metadata: server.count(METADATA), keys: server.count(KEYS) };
    const verifier = entraVerifier();
    const a = await verifier.verifyAccessToken(key.sign(origin, TENANT_A));
    const b = await verifier.verifyAccessToken(key.sign(origin, TENANT_B));
    // The claims carry the token's own issuer, not the template.
    expect(a.iss).toBe(`${origin}/${TENANT_A}/v2.0`);
    expect(b.iss).toBe(`${origin}/${TENANT_B}/v2.0`);
    // One key set for every tenant: one metadata read and one key-set fetch.
    expect(server.count(METADATA) - before.metadata).toBe(1);
    expect(server.count(KEYS) - before.keys).toBe(1);
    const [health] = verifier.health().issuers;
    expect(health).toMatchObject({ issuer: template(), jwksUri: `${origin}${KEYS}`, usable: true, kids: [key.kid] });
  });

  it('refuses the iss of tenant A carried with the tid of tenant B', async () => {
    metadata = commonMetadata(origin);
    const verifier = entraVerifier();
    const token = key.sign(origin, TENANT_B, { iss: `${origin}/${TENANT_A}/v2.0` });
    const error = await refusal(verifier.verifyAccessToken(token), { code: 'issuer_invalid', token });
    expect(error.message).toMatch(/"iss" is not the issuer of its "tid"/);
  });

  it.each<[string, Record<string, unknown>]>([
    ['no tid', { tid: undefined }],
    ['a numeric tid', { tid: 7 }],
    ['an empty tid', { tid: '' }],
    ['a tid with a slash', { tid: `${TENANT_A}/v2.0/x` }],
    ['a tid with a query', { tid: `${TENANT_A}?x` }],
    ['an overlong tid', { tid: 'a'.repeat(254) }],
  ])('refuses a token with %s as issuer_invalid, without a request', async (_name, claims) => {
    metadata = commonMetadata(origin);
    const verifier = entraVerifier();
    const before = requests();
    const tid = claims.tid;
    const iss = `${origin}/${typeof tid === 'string' ? tid : TENANT_A}/v2.0`;
    await refusal(verifier.verifyAccessToken(key.sign(origin, TENANT_A, { ...claims, iss })), 'issuer_invalid');
    expect(requests()).toBe(before);
  });

  it('refuses a token whose iss is the template itself, placeholder and all', async () => {
    metadata = commonMetadata(origin);
    const verifier = entraVerifier();
    await refusal(verifier.verifyAccessToken(key.sign(origin, TENANT_A, { iss: template(), tid: PLACEHOLDER })), 'issuer_invalid');
    await refusal(verifier.verifyAccessToken(key.sign(origin, TENANT_A, { iss: template() })), 'issuer_invalid');
  });

  it('refuses a tenant the list leaves out, and one a predicate says no to, without a single request', async () => {
    metadata = commonMetadata(origin);
    const before = requests();
    const listed = entraVerifier({ tenants: [TENANT_A] });
    await refusal(listed.verifyAccessToken(key.sign(origin, TENANT_B)), 'issuer_invalid');
    const asked: string[] = [];
    const predicate = entraVerifier({ tenants: (tid) => (asked.push(tid), false) });
    await refusal(predicate.verifyAccessToken(key.sign(origin, TENANT_B)), 'issuer_invalid');
    const rejecting = entraVerifier({ tenants: async () => Promise.reject(new Error('directory down')) });
    await refusal(rejecting.verifyAccessToken(key.sign(origin, TENANT_B)), 'issuer_invalid');
    const throwing = entraVerifier({ tenants: () => { throw new Error('bug'); } });
    await refusal(throwing.verifyAccessToken(key.sign(origin, TENANT_B)), 'issuer_invalid');
    expect(asked).toEqual([TENANT_B]);
    expect(requests()).toBe(before);
  });

  it("asks an asynchronous predicate once per tenant while its answer is remembered, and again after 60 s", async () => {
    metadata = commonMetadata(origin);
    const asked: string[] = [];
    const verifier = entraVerifier({ tenants: async (tid) => (asked.push(tid), tid === TENANT_A) });
    await Promise.all([1, 2, 3].map(() => verifier.verifyAccessToken(key.sign(origin, TENANT_A))));
    await refusal(verifier.verifyAccessToken(key.sign(origin, TENANT_B)), 'issuer_invalid');
    await refusal(verifier.verifyAccessToken(key.sign(origin, TENANT_B)), 'issuer_invalid');
    expect(asked).toEqual([TENANT_A, TENANT_B]);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 61_000);
      await refusal(verifier.verifyAccessToken(key.sign(origin, TENANT_B)), 'issuer_invalid');
      expect(asked).toEqual([TENANT_A, TENANT_B, TENANT_B]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('asks a synchronous predicate every time, so a tenant it stops trusting is refused at once', async () => {
    metadata = commonMetadata(origin);
    const trusted = new Set([TENANT_A]);
    const verifier = entraVerifier({ tenants: (tid) => trusted.has(tid) });
    await verifier.verifyAccessToken(key.sign(origin, TENANT_A));
    trusted.delete(TENANT_A);
    await refusal(verifier.verifyAccessToken(key.sign(origin, TENANT_A)), 'issuer_invalid');
  });

  it("uses a jwksUri given for the template instead of discovering it", async () => {
    const before = server.count(METADATA);
    const verifier = entraVerifier({ jwksUri: `${origin}${KEYS}` });
    await verifier.verifyAccessToken(key.sign(origin, TENANT_A));
    expect(server.count(METADATA)).toBe(before);
  });

  it("refuses the template's metadata when its issuer is not the template exactly", async () => {
    metadata = { ...commonMetadata(origin), issuer: `${origin}/common/v2.0` };
    const verifier = entraVerifier({ jwks: { cooldown: 0 } });
    const error = await refusal(verifier.verifyAccessToken(key.sign(origin, TENANT_A)), 'jwks_unavailable');
    expect(String((error.cause as Error).message)).toMatch(/does not match the configured issuer/);
  });

  it('verifies exact issuers next to a template as before, with no tid needed', async () => {
    metadata = commonMetadata(origin);
    const single = `${origin}/${TENANT_A}/v2.0`;
    const verifier = entraVerifier({ issuer: [single, template()], jwksUri: { [single]: `${origin}${KEYS}`, [template()]: `${origin}${KEYS}` } });
    await expect(verifier.verifyAccessToken(key.sign(origin, TENANT_A, { tid: undefined, iss: single }))).resolves.toMatchObject({ iss: single });
  });
});

describe('issuer template options', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a template without tenants', { tenants: undefined }, /"tenants" must be set when an issuer contains \{tenantid\}/],
    ['tenants without a template', { issuer: 'https://auth.example.com' }, /"tenants" applies to issuer templates only/],
    ['an empty tenant list', { tenants: [] }, /"tenants" must be a non-empty array/],
    ['a tenant id with a slash', { tenants: ['a/b'] }, /"tenants"/],
    ['a tenants option that is a string', { tenants: TENANT_A }, /"tenants"/],
    ['a template with the placeholder twice', { issuer: 'https://login.example.com/{tenantid}/{tenantid}' }, /more than once/],
    ['a template that cannot be discovered', { issuer: 'tenants/{tenantid}' }, /cannot be used for discovery/],
  ])('throws TypeError at construction for %s', (_name, overrides, message) => {
    const options = { issuer: 'https://login.example.com/{tenantid}/v2.0', tenants: [TENANT_A], audience: 'api', ...overrides } as VerifierOptions;
    expect(() => createVerifier(options)).toThrow(TypeError);
    expect(() => createVerifier(options)).toThrow(message);
  });

  it('accepts a jwksUri keyed by the template', () => {
    const issuer = 'https://login.example.com/{tenantid}/v2.0';
    expect(() => createVerifier({ issuer, tenants: [TENANT_A], audience: 'api', jwksUri: { [issuer]: 'https://login.example.com/keys' } })).not.toThrow();
  });
});
