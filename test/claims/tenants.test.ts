import { afterEach, describe, expect, it, vi } from 'vitest';
import { isPlausibleTenantId, MAX_TENANT_ANSWERS, resolveTenants, TENANT_ANSWER_SECONDS } from '../../src/claims/tenants.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('isPlausibleTenantId', () => {
  it.each(['72f988bf-86f1-41af-91ab-2d7cd011db47', 'contoso.onmicrosoft.com', 'a', 'a'.repeat(253)])('accepts %s', (tid) => {
    expect(isPlausibleTenantId(tid)).toBe(true);
  });
  it.each(['', 'a'.repeat(254), '-lead', '.lead', 'a/b', 'a?b', 'a#b', 'a%2fb', 'a@b', 'a:b', 'a b', '{tenantid}', 'é'])('refuses %j', (tid) => {
    expect(isPlausibleTenantId(tid)).toBe(false);
  });
  it('refuses what is not a string', () => {
    expect(isPlausibleTenantId(7)).toBe(false);
    expect(isPlausibleTenantId(['a'])).toBe(false);
  });
});

describe('an asynchronous tenants predicate', () => {
  it('shares one pending answer among concurrent asks, and remembers it for TENANT_ANSWER_SECONDS', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const asked: string[] = [];
    const decide = resolveTenants(async (tid: string) => (asked.push(tid), tid === 'a'));
    const [first, second] = [decide('a'), decide('a')];
    expect(first).toBe(second);
    await expect(first).resolves.toBe(true);
    expect(decide('a')).toBe(true);
    vi.setSystemTime(Date.now() + TENANT_ANSWER_SECONDS * 1000);
    await decide('a');
    expect(asked).toEqual(['a', 'a']);
  });

  it(`remembers at most ${MAX_TENANT_ANSWERS} tenants, forgetting the oldest first`, async () => {
    const asked: string[] = [];
    const decide = resolveTenants(async (tid: string) => (asked.push(tid), true));
    for (let i = 0; i <= MAX_TENANT_ANSWERS; i++) await decide(`t${i}`);
    await decide(`t${MAX_TENANT_ANSWERS}`);
    expect(asked).toHaveLength(MAX_TENANT_ANSWERS + 1);
    await decide('t0');
    expect(asked).toHaveLength(MAX_TENANT_ANSWERS + 2);
  });

  it('keeps a pending answer forgotten to make room from overwriting a newer one', async () => {
    let release: (value: boolean) => void = () => undefined;
    const decide = resolveTenants((tid: string) => (tid === 'slow' ? new Promise<boolean>((resolve) => (release = resolve)) : Promise.resolve(true)));
    const slow = decide('slow');
    for (let i = 0; i < MAX_TENANT_ANSWERS; i++) await decide(`t${i}`);
    release(true);
    await expect(slow).resolves.toBe(true);
  });

  it('forgets a rejection, so the next token asks again', async () => {
    let calls = 0;
    const decide = resolveTenants(async () => {
      calls++;
      throw new Error('directory down');
    });
    await expect(decide('a')).resolves.toBe(false);
    await expect(decide('a')).resolves.toBe(false);
    expect(calls).toBe(2);
  });

  it('trusts only true: a truthy non-boolean answer refuses', async () => {
    const decide = resolveTenants(async () => 'yes' as unknown as boolean);
    await expect(decide('a')).resolves.toBe(false);
    expect(resolveTenants(() => 1 as unknown as boolean)('a')).toBe(false);
  });
});
