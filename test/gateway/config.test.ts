import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/gateway/config.js';
import { loadConfig } from '../../src/gateway/load.js';

const verifier = { issuer: 'https://auth.example.com', audience: 'orders-api' };

function file(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tokenwarden-config-')), 'tokenwarden.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('gateway config', () => {
  it('fills in the documented defaults', () => {
    const config = checkConfig({ verifier });
    expect(config).toMatchObject({
      listen: { host: '127.0.0.1', port: 8081 },
      proxy: 'nginx',
      pathPrefix: '/ext-authz',
      trustedProxies: ['127.0.0.1', '::1'],
      retryAfter: 30,
      default: 'token',
      logRefusals: true,
      shutdownTimeout: 10,
      routes: [],
    });
    expect(config.forward).toMatchObject({
      subject: 'x-auth-subject',
      clientId: 'x-auth-client-id',
      scope: 'x-auth-scope',
      issuer: 'x-auth-issuer',
      claims: undefined,
      maxLength: 1024,
    });
  });

  it.each([
    [{ verifier, routes: [{ path: '/a' }, { path: '/b' }, { path: '/c', scopes: 'orders:read' }] }, 'routes[2].scopes must be an array of scope strings'],
    [{ verifier, routes: [{ path: '/a', scope: ['x'] }] }, 'routes[0].scope is not a known key'],
    [{ verifier, routes: [{ path: '/a', prefix: '/b' }] }, 'routes[0] must be a rule with exactly one of "path", "prefix" or "glob"'],
    [{ verifier, routes: [{ prefix: 'orders' }] }, 'routes[0].prefix must be a path starting with "/"'],
    [{ verifier, routes: [{ path: '/a', methods: ['get'] }] }, 'routes[0].methods must be an array of upper-case HTTP methods'],
    [{ verifier, routes: [{ path: '/a', anonymous: true, scopes: ['x'] }] }, 'routes[0].anonymous must be left out on a rule that asks for scopes or roles'],
    [{ verifier, routes: [{ path: '/a', rolesClaim: 'groups' }] }, 'routes[0].roles must be set when rolesClaim or rolesMatch is'],
    [{ verifier, audiance: 'x' }, 'audiance is not a known key'],
    [{ verifier: { ...verifier, jwks: { coolDown: 1 } } }, 'verifier.jwks.coolDown is not a known key'],
    [{ verifier: { issuer: 'https://auth.example.com' } }, 'verifier.audience must be set'],
    [{ verifier, listen: 8081 }, 'listen must be a "host:port" string'],
    [{ verifier, trustedProxies: ['10.0.0.0/33'] }, 'trustedProxies[0] must be an IP address or a CIDR range'],
    [{ verifier, proxy: 'haproxy' }, 'proxy must be one of "nginx", "traefik", "envoy"'],
    [{ verifier, forward: { subject: 'X Bad' } }, 'forward.subject must be a header name'],
    [{ verifier, forward: { subject: 'X-A', scope: 'x-a' } }, 'forward must be a different header name for each claim'],
    [{ verifier, shutdownTimeout: 900 }, 'shutdownTimeout must be between 0 and 300, got 900'],
    [{ verifier, pathPrefix: '/healthz' }, 'pathPrefix must be a path starting with "/"'],
  ])('refuses a wrong value naming its path (%#)', (raw, message) => {
    expect(() => checkConfig(raw)).toThrow(message);
  });

  it('reads the file named by TOKENWARDEN_CONFIG, with the environment on top', () => {
    const path = file({ verifier, routes: [{ path: '/health', anonymous: true }] });
    const config = loadConfig(undefined, {
      TOKENWARDEN_CONFIG: path,
      TOKENWARDEN_LISTEN: '0.0.0.0:9000',
      TOKENWARDEN_AUDIENCE: 'a, b',
      TOKENWARDEN_TRUSTED_PROXIES: '10.0.0.0/8,::1',
      TOKENWARDEN_PROXY: 'traefik',
    });
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(config.verifier.audience).toEqual(['a', 'b']);
    expect(config.verifier.issuer).toBe('https://auth.example.com');
    expect(config.trustedProxies).toEqual(['10.0.0.0/8', '::1']);
    expect(config.proxy).toBe('traefik');
    expect(config.routes).toHaveLength(1);
  });

  it('runs from the environment alone, and names the variable behind a wrong value', () => {
    const config = loadConfig(undefined, { TOKENWARDEN_ISSUER: 'https://auth.example.com', TOKENWARDEN_AUDIENCE: 'api', TOKENWARDEN_JWKS_URI: 'https://auth.example.com/jwks' });
    expect(config.verifier).toEqual({ issuer: 'https://auth.example.com', audience: 'api', jwksUri: 'https://auth.example.com/jwks' });
    expect(() => loadConfig(undefined, { TOKENWARDEN_ISSUER: 'x', TOKENWARDEN_AUDIENCE: 'api', TOKENWARDEN_LISTEN: 'nowhere' })).toThrow(
      'listen must be a "host:port" string, e.g. "127.0.0.1:8081" or "[::1]:8081" (set by TOKENWARDEN_LISTEN)',
    );
  });

  it('prefers --config to TOKENWARDEN_CONFIG, and reads IPv6 listen addresses', () => {
    const chosen = file({ verifier, listen: '[::1]:9443' });
    const ignored = file({ verifier, listen: '127.0.0.1:1' });
    expect(loadConfig(chosen, { TOKENWARDEN_CONFIG: ignored }).listen).toEqual({ host: '::1', port: 9443 });
    expect(() => checkConfig({ verifier, listen: '[127.0.0.1]:80' })).toThrow('listen must be a "host:port" string');
    expect(() => checkConfig({ verifier, listen: 'localhost:70000' })).toThrow('listen must be a "host:port" string');
  });

  it('says which file cannot be read or parsed', () => {
    expect(() => loadConfig('/nonexistent/tokenwarden.json', {})).toThrow('cannot read the config file /nonexistent/tokenwarden.json: ENOENT');
    const broken = file('{ "verifier": ');
    expect(() => loadConfig(broken, {})).toThrow(`the config file ${broken} is not valid JSON`);
    expect(() => loadConfig(file([1]), {})).toThrow('must hold a JSON object');
  });

  it('takes the verifier\'s dpop and mtls options, with the nonce secret from the environment and never from the file', () => {
    const secret = 's'.repeat(40);
    const path = file({
      verifier: { ...verifier, dpop: { mode: 'required', algorithms: ['ES256'], maxProofAge: 60, origins: ['https://api.example.com'], nonce: { lifetime: 120 } }, mtls: { mode: 'allowed' } },
      certificateHeader: 'X-Client-Cert',
    });
    const config = loadConfig(path, { TOKENWARDEN_DPOP_NONCE_SECRET: `${secret}, ${'t'.repeat(40)}` });
    expect(config.verifier.dpop).toEqual({ mode: 'required', algorithms: ['ES256'], maxProofAge: 60, origins: ['https://api.example.com'], nonce: { secrets: [secret, 't'.repeat(40)], lifetime: 120 } });
    expect(config.verifier.mtls).toEqual({ mode: 'allowed' });
    expect(config.certificateHeader).toBe('x-client-cert');
    expect(config.replay).toEqual({ kind: 'memory' });
    expect(config.opentelemetry).toBe(false);
    const custom = checkConfig({ verifier: { ...verifier, dpop: { nonce: { secretEnv: 'MY_SECRET' }, replay: { redis: 'redis://10.0.0.5:6379', prefix: 'orders:' } } } }, { MY_SECRET: secret });
    expect(custom.verifier.dpop?.nonce).toEqual({ secrets: [secret] });
    expect(custom.replay).toEqual({ kind: 'redis', url: 'redis://10.0.0.5:6379', prefix: 'orders:' });
  });

  it.each([
    [{ verifier: { ...verifier, dpop: { nonce: {} } } }, 'verifier.dpop.nonce must be given its secret in the environment variable TOKENWARDEN_DPOP_NONCE_SECRET'],
    [{ verifier: { ...verifier, dpop: { nonce: { secret: 'x'.repeat(40) } } } }, 'verifier.dpop.nonce.secret is not a known key'],
    [{ verifier: { ...verifier, dpop: { mode: 'sometimes' } } }, 'verifier.dpop.mode must be one of "allowed", "required", "disabled"'],
    [{ verifier: { ...verifier, dpop: { replay: { redis: 'http://x' } } } }, 'verifier.dpop.replay.redis must be a redis:// or rediss:// URL'],
    [{ verifier: { ...verifier, mtls: { certificateHeader: 'x-client-cert' } } }, 'verifier.mtls.certificateHeader is not a known key'],
    [{ verifier, certificateHeader: 'Authorization' }, 'certificateHeader must be a header name of its own'],
    [{ verifier, opentelemetry: 'yes' }, 'opentelemetry must be true or false'],
  ])('refuses a wrong sender-constraint or telemetry value naming its path (%#)', (raw, message) => {
    expect(() => checkConfig(raw)).toThrow(message);
  });
});
