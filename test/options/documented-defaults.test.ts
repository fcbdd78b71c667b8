// Every default the TSDoc documents (`@default`) is accepted when passed explicitly: the value a
// reader copies from the docs into their options must never be refused. The defaults are read
// from the source with the TypeScript compiler, so a new option is covered the day it is written.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/adapters/node.js';
import { requireRoles } from '../../src/guards/roles.js';
import { createMemoryRevocationStore } from '../../src/revocation/memory.js';
import { createRedisReplayStore, createRedisRevocationStore } from '../../src/revocation/redis/index.js';
import type { RedisClientLike } from '../../src/revocation/redis/client.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { createVerifier } from '../../src/verifier.js';
import { instrument } from '../../src/opentelemetry/index.js';
import { checkConfig } from '../../src/gateway/config.js';
import { createMemoryReplayStore } from '../../src/dpop/replay.js';
import { createTokenClient } from '../../src/client/index.js';

const root = resolve(import.meta.dirname, '../..');
const FILES = [
  'src/verifier-options.ts',
  'src/jwks/options.ts',
  'src/revocation/memory.ts',
  'src/revocation/redis/options.ts',
  'src/adapters/core.ts',
  'src/guards/roles.ts',
  'src/testing/index.ts',
  'src/opentelemetry/options.ts',
  'src/gateway/config.ts',
  'src/gateway/forward.ts',
  'src/dpop/options.ts',
  'src/dpop/replay.ts',
  'src/dpop/redis.ts',
  'src/mtls/options.ts',
  'src/testing/dpop.ts',
  'src/jwe/options.ts',
  'src/introspection/options.ts',
  'src/client/options.ts',
].map((file) => resolve(root, file));
// Parent links are what lets the compiler find each member's TSDoc.
const sources = FILES.map((file) => ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true));

/** The value a `@default` text states, when it states a literal: its whole text, or what precedes a gloss. */
function literal(text: string): { value: unknown } | undefined {
  for (const candidate of [text, text.split(' (')[0], text.split(', ')[0]]) {
    if (candidate === undefined || candidate.trim() === '') continue;
    try {
      // Our own source comments, read as the JavaScript literal they are written as.
      return { value: new Function(`return (${candidate});`)() as unknown };
    } catch {
      // Prose ("unset", "discovered"): nothing to pass.
    }
  }
  return undefined;
}

/** The documented literal defaults of the interface `name`, by option name. */
function documentedDefaults(name: string): Record<string, unknown> {
  for (const source of sources) {
    const declaration = source.statements.find(
      (statement): statement is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(statement) && statement.name.text === name,
    );
    if (declaration === undefined) continue;
    const defaults: Record<string, unknown> = {};
    for (const member of declaration.members) {
      if (!ts.isPropertySignature(member) || !ts.isIdentifier(member.name)) continue;
      const tag = ts.getJSDocTags(member).find((candidate) => candidate.tagName.text === 'default');
      const parsed = tag === undefined ? undefined : literal(ts.getTextOfJSDocComment(tag.comment) ?? '');
      if (parsed !== undefined) defaults[member.name.text] = parsed.value;
    }
    return defaults;
  }
  throw new Error(`no interface ${name} in ${FILES.join(', ')}`);
}

/** An ioredis-shaped client that answers nothing: enough for a store to be constructed and closed. */
function idleRedisClient(): RedisClientLike {
  const subscriber = {
    status: 'wait',
    call: async () => null,
    duplicate: () => subscriber,
    connect: async () => undefined,
    subscribe: async () => 0,
    on: () => subscriber,
    disconnect: () => undefined,
  };
  return subscriber as unknown as RedisClientLike;
}

const issuers: TestIssuer[] = [];
afterAll(async () => {
  await Promise.all(issuers.map((issuer) => issuer.close()));
});

describe('every documented default, passed explicitly', () => {
  const base = { issuer: 'https://auth.example.com', audience: 'orders-api' };

  it('is accepted by createVerifier, with jwks and cache at theirs', () => {
    const verifier = documentedDefaults('VerifierOptions');
    const jwks = documentedDefaults('JwksOptions');
    const cache = documentedDefaults('VerifiedTokenCacheOptions');
    expect(Object.keys(verifier)).toEqual(
      expect.arrayContaining(['algorithms', 'clockTolerance', 'requiredClaims', 'revocationFailOpen', 'revocationTimeout', 'maxTokenLength', 'cache']),
    );
    expect(Object.keys(jwks)).toEqual(['cooldown', 'maxAge', 'timeout', 'maxStale', 'maxBytes']);

    expect(() => createVerifier({ ...base, ...verifier })).not.toThrow();
    expect(() => createVerifier({ ...base, ...verifier, jwks, cache })).not.toThrow();
  });

  it('is accepted by createVerifier for dpop (with its nonces) and mtls, and by createMemoryReplayStore', () => {
    const dpop = documentedDefaults('DpopOptions');
    const nonce = documentedDefaults('DpopNonceOptions');
    const mtls = documentedDefaults('MtlsOptions');
    const replay = documentedDefaults('MemoryReplayStoreOptions');
    expect(Object.keys(dpop)).toEqual(['mode', 'algorithms', 'maxProofAge', 'clockTolerance']);
    expect(Object.keys(nonce)).toEqual(['lifetime']);
    expect(Object.keys(mtls)).toEqual(['mode', 'trustedProxies']);
    expect(Object.keys(replay)).toEqual(['maxEntries']);
    const verifier = documentedDefaults('VerifierOptions');
    expect(verifier).toMatchObject({ dpop: { mode: 'allowed' }, mtls: { mode: 'allowed' } });

    expect(() => createVerifier({ ...base, dpop: { ...dpop, nonce: { ...nonce, secret: 's'.repeat(32) } }, mtls })).not.toThrow();
    expect(() => createMemoryReplayStore(replay)).not.toThrow();
  });

  it('is accepted by createVerifier for decryption, beside a key', () => {
    const decryption = documentedDefaults('DecryptionOptions');
    expect(Object.keys(decryption)).toEqual(['encryptions']);
    const key = { kty: 'oct', k: 'A'.repeat(43), alg: 'dir' };
    expect(() => createVerifier({ ...base, decryption: { ...decryption, keys: [key] } as never })).not.toThrow();
  });

  it('is accepted by createVerifier for introspection, with its cache at its own', () => {
    const introspection = documentedDefaults('IntrospectionOptions');
    const cache = documentedDefaults('IntrospectionCacheOptions');
    expect(Object.keys(introspection)).toEqual(['tokens', 'timeout', 'maxBytes', 'maxRequestsPerSecond', 'jwtResponse', 'cache']);
    expect(Object.keys(cache)).toEqual(['maxEntries', 'maxAge', 'inactiveMaxAge']);
    expect(introspection.cache).toEqual(cache);
    const credentials = { clientId: 'orders-api', clientSecret: 's' };

    expect(() => createVerifier({ ...base, introspection: { ...credentials, ...introspection } })).not.toThrow();
    expect(() => createVerifier({ ...base, introspection: { ...credentials, ...introspection, cache } })).not.toThrow();
  });

  it('is accepted by createMemoryRevocationStore', () => {
    const options = documentedDefaults('MemoryRevocationStoreOptions');
    expect(Object.keys(options)).toEqual(['maxEntries', 'clockTolerance', 'maxTokenLifetime']);

    expect(() => createMemoryRevocationStore(options)).not.toThrow();
  });

  it('is accepted by createRedisRevocationStore, with the local tier at its own', async () => {
    const options = documentedDefaults('RedisRevocationStoreOptions');
    const localTier = documentedDefaults('RedisLocalTierOptions');
    expect(Object.keys(options)).toEqual(expect.arrayContaining(['prefix', 'clockTolerance', 'maxTokenLifetime', 'timeout', 'localTier', 'failOpen']));
    expect(Object.keys(localTier)).toEqual(['maxEntries', 'heartbeatInterval']);

    for (const tier of [options.localTier, localTier]) {
      const store = createRedisRevocationStore({ ...options, localTier: tier as boolean, client: idleRedisClient() });
      await store.close();
    }
  });

  it('is accepted by createRedisReplayStore', () => {
    const options = documentedDefaults('RedisReplayStoreOptions');
    expect(Object.keys(options)).toEqual(['prefix', 'timeout']);

    expect(() => createRedisReplayStore({ ...options, client: idleRedisClient() })).not.toThrow();
  });

  it('is accepted by the adapters (createAuth) and requireRoles', () => {
    const auth = documentedDefaults('AuthOptions');
    const roles = documentedDefaults('RequireRolesOptions');
    expect(Object.keys(auth)).toEqual(expect.arrayContaining(['guards', 'retryAfter']));
    expect(Object.keys(roles)).toEqual(['claim', 'match']);

    expect(() => createAuth({ verifier: base, ...auth })).not.toThrow();
    expect(() => requireRoles('admin', roles)).not.toThrow();
  });

  it('is accepted by instrument() (tokenwarden/opentelemetry)', () => {
    const options = documentedDefaults('InstrumentOptions');
    expect(Object.keys(options)).toEqual(['verifiers', 'metrics', 'spans']);

    const handle = instrument(options);
    handle.close();
  });

  it('is accepted in the config of tokenwarden serve, with the forwarded headers at theirs', () => {
    const config = documentedDefaults('GatewayConfig');
    const forward = documentedDefaults('ForwardConfig');
    expect(Object.keys(config)).toEqual(['listen', 'proxy', 'pathPrefix', 'trustedProxies', 'retryAfter', 'default', 'logRefusals', 'shutdownTimeout', 'opentelemetry']);
    expect(Object.keys(forward)).toEqual(['subject', 'clientId', 'scope', 'issuer', 'maxLength', 'claimsMaxLength']);

    const checked = checkConfig({ ...config, forward, verifier: base });
    const { listen, ...rest } = config;
    expect(listen).toBe('127.0.0.1:8081');
    expect(checked).toMatchObject({ ...rest, listen: { host: '127.0.0.1', port: 8081 }, forward });
  });

  it('is accepted by createTestIssuer', async () => {
    const options = documentedDefaults('TestIssuerOptions');
    expect(Object.keys(options)).toEqual(expect.arrayContaining(['algorithm', 'audience', 'path', 'port', 'discovery']));

    const issuer = await createTestIssuer(options);
    issuers.push(issuer);
    expect(issuer.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('is accepted by createTokenClient (tokenwarden/client)', async () => {
    const options = documentedDefaults('TokenClientOptions');
    expect(Object.keys(options)).toEqual([
      'tokenEndpointAuthMethod',
      'refreshMargin',
      'refreshAhead',
      'timeout',
      'maxBytes',
      'retries',
      'retryDelay',
      'exchangeCacheSize',
    ]);

    const client = createTokenClient({ issuer: 'https://auth.example.com', clientId: 'svc', clientSecret: 'secret', ...options });
    await client.close();
  });
});
