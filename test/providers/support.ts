// Provider-shaped tokens and key sets, served from loopback. The shapes (header fields, kid
// formats, key-set members, claims) are read from test/fixtures/providers/*.json, where each is
// recorded with its source; only the key material and the times are made here, per run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VerifierOptions } from '../../src/index.js';
import { forgeToken, generateKey, nowSeconds, type ForgeKey } from '../helpers/forge.js';
import { sendJson, startServer, type LoopbackServer } from '../helpers/jwks-server.js';

interface TokenShape {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
}

/** One provider's recorded shapes (test/fixtures/providers/{name}.json). */
export interface ProviderFixture {
  readonly provider: string;
  readonly keySet: { readonly keys: readonly Record<string, unknown>[] };
  readonly tokens: Readonly<Record<string, TokenShape>>;
  readonly [detail: string]: unknown;
}

export function fixture(name: string): ProviderFixture {
  return JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/providers', `${name}.json`), 'utf8')) as ProviderFixture;
}

/** A provider on loopback: its key set, with fresh key material, at every path. */
export interface FakeProvider {
  readonly fixture: ProviderFixture;
  readonly server: LoopbackServer;
  /** The recorded token `kind`, with current times, `changes` applied, signed with the key its `kid` names. */
  token(kind: string, changes?: Record<string, unknown>): string;
  /** Signs any header and payload with the key `kid` (the header's) names. */
  sign(header: Record<string, unknown>, payload: Record<string, unknown>): string;
}

export async function fakeProvider(name: string): Promise<FakeProvider> {
  const recorded = fixture(name);
  const keys = new Map<string, ForgeKey>();
  const published = recorded.keySet.keys.map((template) => {
    const key = generateKey('RS256');
    keys.set(template.kid as string, key);
    const { n, e } = key.jwk;
    return { ...template, n, e };
  });
  const server = await startServer((_req, res) => sendJson(res, 200, { keys: published }, { 'cache-control': 'public, max-age=3600' }));

  function sign(header: Record<string, unknown>, payload: Record<string, unknown>): string {
    const key = keys.get(header.kid as string);
    if (key === undefined) throw new Error(`${name}: no key with kid ${String(header.kid)}`);
    return forgeToken({ header, payload, key: key.privateKey, alg: 'RS256' });
  }

  return {
    fixture: recorded,
    server,
    sign,
    token(kind, changes = {}) {
      const shape = recorded.tokens[kind];
      if (shape === undefined) throw new Error(`${name}: no recorded token "${kind}"`);
      const now = nowSeconds();
      const times: Record<string, number> = { iat: now - 10, nbf: now - 10, auth_time: now - 60, exp: now + 3600 };
      const payload: Record<string, unknown> = { ...shape.payload };
      for (const [claim, value] of Object.entries(times)) if (claim in payload) payload[claim] = value;
      for (const [claim, value] of Object.entries(changes)) {
        if (value === undefined) delete payload[claim];
        else payload[claim] = value;
      }
      return sign(shape.header, payload);
    },
  };
}

/**
 * `options` with every key-set URL moved to `server`, path kept: issuers that share a URL in
 * the preset share one on loopback, so what the preset means by sharing is what is tested.
 */
export function onLoopback(options: VerifierOptions, server: LoopbackServer): VerifierOptions {
  const move = (uri: string): string => server.url(new URL(uri).pathname);
  const { jwksUri } = options;
  if (jwksUri === undefined) throw new Error('the preset names no jwksUri');
  return {
    ...options,
    jwksUri: typeof jwksUri === 'string' ? move(jwksUri) : Object.fromEntries(Object.entries(jwksUri).map(([issuer, uri]) => [issuer, move(uri)])),
  };
}
