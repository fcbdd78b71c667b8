// What holds for every preset: plain, spreadable data that createVerifier accepts, and a module
// that is pure data, so it belongs in the web build as well as the Node one.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createVerifier, type VerifierOptions } from '../../src/index.js';
import * as providers from '../../src/providers/index.js';

const PRESETS: readonly (readonly [string, () => VerifierOptions])[] = [
  ['auth0', () => providers.auth0({ domain: 'tenant.eu.auth0.com', audience: 'https://api.example.com' })],
  ['okta', () => providers.okta({ domain: 'dev-1.okta.com', audience: 'api://default' })],
  ['firebase', () => providers.firebase({ projectId: 'demo-project' })],
  ['google', () => providers.google({ audience: 'client.apps.googleusercontent.com' })],
  ['entra', () => providers.entra({ tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47', audience: 'api://orders' })],
  ['entra (many tenants)', () => providers.entra({ tenants: ['72f988bf-86f1-41af-91ab-2d7cd011db47'], audience: 'api://orders' })],
  ['cognito', () => providers.cognito({ userPoolId: 'us-east-1_Abc123', clientId: 'client' })],
  ['keycloak', () => providers.keycloak({ baseUrl: 'https://sso.example.com', realm: 'shop', clientId: 'orders.web' })],
];

describe('the provider presets', () => {
  it.each(PRESETS)('%s returns a fresh plain object that createVerifier accepts, spread and overridden', (_name, preset) => {
    const options = preset();
    expect(Object.getPrototypeOf(options)).toBe(Object.prototype);
    expect(preset()).not.toBe(options);
    const verifier = createVerifier({ ...options, clockTolerance: 10, cache: false });
    expect(verifier.issuers).toEqual(typeof options.issuer === 'string' ? [options.issuer] : options.issuer);
  });

  it('freezes the shared roles paths, so that one caller cannot change another', () => {
    expect(Object.isFrozen(providers.auth0Permissions)).toBe(true);
    expect(Object.isFrozen(providers.entraRoles)).toBe(true);
    expect(Object.isFrozen(providers.cognitoGroups)).toBe(true);
    expect(Object.isFrozen(providers.keycloakRealmRoles)).toBe(true);
    expect(Object.isFrozen(providers.keycloakClientRoles('orders.api').claim)).toBe(true);
  });

  it('imports nothing at run time but option checks: presets are data, for the web build too', () => {
    const dir = join(import.meta.dirname, '../../src/providers');
    for (const file of readdirSync(dir)) {
      const source = readFileSync(join(dir, file), 'utf8');
      const runtimeImports = [...source.matchAll(/^import (?!type )[^;]*from '([^']+)'/gm)].map((match) => match[1]);
      expect(runtimeImports.filter((from) => !from?.startsWith('./') && from !== '../lib/options.js'), file).toEqual([]);
    }
  });
});
