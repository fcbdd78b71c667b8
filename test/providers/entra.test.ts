import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, requireRoles, requireScopes } from '../../src/index.js';
import { entra, entraRoles, type EntraClaims } from '../../src/providers/index.js';
import { closeServers } from '../helpers/jwks-server.js';
import { expectRefusal, refusal } from '../helpers/refusal.js';
import { fakeProvider, fixture, onLoopback, type FakeProvider } from './support.js';

const { tenant: TENANT, clientId: CLIENT_ID } = fixture('entra') as unknown as { tenant: string; clientId: string };

let login: FakeProvider;
beforeAll(async () => {
  login = await fakeProvider('entra');
});
afterAll(closeServers);

const v2 = () => createVerifier<EntraClaims>(onLoopback(entra({ tenant: TENANT, audience: CLIENT_ID }), login.server));
const v1 = () => createVerifier<EntraClaims>(onLoopback(entra({ tenant: TENANT, audience: 'api://orders', version: 1 }), login.server));

describe('entra() for one tenant', () => {
  it("sets the tenant's v2 issuer and key set by default, and its v1 (sts.windows.net) ones with version 1", () => {
    expect(entra({ tenant: TENANT, audience: CLIENT_ID })).toEqual({
      issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      audience: CLIENT_ID,
      jwksUri: `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`,
      requiredClaims: ['azp'],
    });
    expect(entra({ tenant: TENANT, audience: 'api://orders', version: 1 })).toMatchObject({
      issuer: `https://sts.windows.net/${TENANT}/`,
      jwksUri: `https://login.microsoftonline.com/${TENANT}/discovery/keys`,
      requiredClaims: ['appid'],
    });
  });

  it('verifies a v2 access token against a key set whose keys have no alg and carry x5c and issuer', async () => {
    const claims = await v2().verifyAccessToken(login.token('accessV2'));
    expect(claims.tid).toBe(TENANT);
    expect(login.server.requests.map((request) => request.path)).toContain(`/${TENANT}/discovery/v2.0/keys`);
  });

  it('verifies a v1 access token (x5t in the header) from sts.windows.net', async () => {
    const claims = await v1().verifyAccessToken(login.token('accessV1'));
    expect(claims.appid).toBe('4d3c2b1a-0f9e-4d8c-b7a6-958473625140');
    expect(login.server.requests.map((request) => request.path)).toContain(`/${TENANT}/discovery/keys`);
  });

  it('refuses an ID token, which has the same audience as a v2 access token but names no client', async () => {
    await expectRefusal(v2(), login.token('id'), 'claim_invalid');
  });

  it('refuses a token of another tenant, and a v1 token where v2 is expected', async () => {
    const other = fixture('entra').otherTenant as string;
    await expectRefusal(v2(), login.token('accessV2', { iss: `https://login.microsoftonline.com/${other}/v2.0`, tid: other }), 'issuer_invalid');
    await expectRefusal(v2(), login.token('accessV1'), 'issuer_invalid');
  });

  it('reads app roles with entraRoles and delegated scopes (a space-separated scp) with requireScopes', async () => {
    const claims = await v2().verifyAccessToken(login.token('accessV2'));
    expect(requireRoles('Orders.Admin', entraRoles)(claims)).toBeUndefined();
    expect(requireScopes('Orders.Read', 'Orders.Write')(claims)).toBeUndefined();
    expect((await refusal(() => requireRoles('Orders.Owner', entraRoles)(claims))).code).toBe('insufficient_scope');
  });

  it('wants the tenant id, not a domain name, and version 1 or 2, naming the option', () => {
    expect(entra({ tenant: TENANT.toUpperCase(), audience: CLIENT_ID }).issuer).toContain(TENANT);
    expect(() => entra({ tenant: 'contoso.onmicrosoft.com', audience: CLIENT_ID })).toThrow(/option "tenant"/);
    expect(() => entra({ tenant: TENANT, audience: CLIENT_ID, version: 3 as never })).toThrow(/option "version"/);
  });
});

describe('entra() for many tenants', () => {
  const other = fixture('entra').otherTenant as string;
  const multi = (tenants: string[] | ((tid: string) => boolean)) =>
    createVerifier<EntraClaims>(onLoopback(entra({ tenants, audience: CLIENT_ID }), login.server));

  it('sets the issuer template and the common key set, with the trusted tenants in lower case', () => {
    expect(entra({ tenants: [TENANT.toUpperCase()], audience: CLIENT_ID })).toEqual({
      issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
      tenants: [TENANT],
      audience: CLIENT_ID,
      jwksUri: 'https://login.microsoftonline.com/common/discovery/v2.0/keys',
      requiredClaims: ['azp'],
    });
    expect(entra({ tenants: () => true, audience: 'api://orders', version: 1 })).toMatchObject({
      issuer: 'https://sts.windows.net/{tenantid}/',
      jwksUri: 'https://login.microsoftonline.com/common/discovery/keys',
    });
  });

  it('verifies tokens of every trusted tenant with one fetch of the common key set', async () => {
    const before = login.server.count('/common/discovery/v2.0/keys');
    const verifier = multi([TENANT, other]);
    await verifier.verifyAccessToken(login.token('accessV2'));
    const second = login.token('accessV2', { iss: `https://login.microsoftonline.com/${other}/v2.0`, tid: other });
    expect((await verifier.verifyAccessToken(second)).tid).toBe(other);
    expect(login.server.count('/common/discovery/v2.0/keys') - before).toBe(1);
  });

  it("refuses an untrusted tenant, and a token whose iss names another tenant than its tid", async () => {
    await expectRefusal(multi([TENANT]), login.token('accessV2', { iss: `https://login.microsoftonline.com/${other}/v2.0`, tid: other }), 'issuer_invalid');
    await expectRefusal(multi([TENANT, other]), login.token('accessV2', { tid: other }), 'issuer_invalid');
    await expectRefusal(multi((tid) => tid === TENANT), login.token('accessV2', { iss: `https://login.microsoftonline.com/${other}/v2.0`, tid: other }), 'issuer_invalid');
  });

  it('wants exactly one of tenant and tenants, with tenant ids, naming the option', () => {
    expect(() => entra({ tenant: TENANT, tenants: [TENANT], audience: CLIENT_ID } as never)).toThrow(/option "tenant"/);
    expect(() => entra({ audience: CLIENT_ID } as never)).toThrow(/option "tenant"/);
    expect(() => entra({ tenants: ['contoso.onmicrosoft.com'], audience: CLIENT_ID })).toThrow(/option "tenants"/);
    expect(() => entra({ tenants: [], audience: CLIENT_ID })).toThrow(/option "tenants"/);
  });
});
