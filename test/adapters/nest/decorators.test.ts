// The route decorators as a Nest user combines them: on classes and methods, inherited,
// public, with the guard per route or app-wide; on both platforms, over loopback HTTP.
import { Controller, Get, Module, Req, UseGuards } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, requireClaims, type AccessTokenClaims, type Verifier } from '../../../src/index.js';
import {
  Claims,
  Public,
  RequireAnyScope,
  RequireRoles,
  RequireScopes,
  TokenwardenGuard,
  TokenwardenModule,
  TokenwardenService,
  UseTokenwardenGuards,
} from '../../../src/adapters/nest.js';
import { createTestIssuer, type TestIssuer } from '../../../src/testing/index.js';
import type { HeaderList } from '../support.js';
import { PLATFORMS, startNest, type NestHarness } from './app.js';

const AUDIENCE = 'orders-api';
let issuer: TestIssuer;
const bearer = async (claims: Record<string, unknown> = {}): Promise<HeaderList> => [['authorization', `Bearer ${await issuer.sign(claims)}`]];

// Calls of the one guard that counts, to see that a route's guards run once per request.
let counted = 0;
const countingGuard = requireClaims(() => {
  counted += 1;
  return true;
});

@Controller('orders')
@RequireScopes('orders:read')
class OrdersController {
  @Get()
  list(@Claims() claims: AccessTokenClaims) {
    return { sub: claims.sub };
  }

  @Get('admin')
  @RequireRoles('admin')
  admin(@Claims('sub') sub: string) {
    return { sub };
  }

  @Get('health')
  @Public()
  health() {
    return { ok: true };
  }
}

@Controller('catalog')
@Public()
class CatalogController {
  @Get()
  list() {
    return { public: true };
  }

  @Get('drafts')
  @RequireAnyScope('catalog:write', 'catalog:admin')
  drafts(@Claims() claims: AccessTokenClaims & { tenant?: string }) {
    return { sub: claims.sub, tenant: claims.tenant ?? null };
  }

  @Get('whoami')
  whoami(@Claims() claims: AccessTokenClaims) {
    return { sub: claims.sub };
  }
}

@Controller('plain')
class PlainController {
  constructor(private readonly tokenwarden: TokenwardenService) {}

  @Get()
  unguarded(@Claims() claims: AccessTokenClaims) {
    return { sub: claims.sub };
  }

  @Get('guarded')
  @UseGuards(TokenwardenGuard)
  guarded(@Req() request: { auth: AccessTokenClaims }) {
    return { sub: request.auth.sub };
  }

  @Get('service')
  @UseTokenwardenGuards()
  service(@Req() request: object) {
    return { sub: this.tokenwarden.claims(request).sub };
  }
}

@RequireScopes('reports:read')
class ReportsBase {
  @Get()
  list() {
    return { reports: [] };
  }
}

@Controller('reports')
class ReportsController extends ReportsBase {}

@Controller('counted')
@UseTokenwardenGuards(countingGuard)
class CountedController {
  @Get()
  @RequireScopes('orders:read')
  get(@Claims('sub') sub: string) {
    return { sub };
  }
}

const CONTROLLERS = [OrdersController, CatalogController, PlainController, ReportsController, CountedController];

/** The verifier, with its verifications counted. */
function countingVerifier(): Verifier & { calls: number } {
  const verifier = createVerifier({ issuer: issuer.issuer, audience: AUDIENCE, jwksUri: issuer.jwksUri, cache: false });
  const counting = {
    ...verifier,
    calls: 0,
    verifyAccessToken: ((token: string) => {
      counting.calls += 1;
      return verifier.verifyAccessToken(token);
    }) as Verifier['verifyAccessToken'],
    // The adapters verify a header token with the whole request, so that bound tokens are checked.
    verifyRequest: ((request: Parameters<Verifier['verifyRequest']>[0]) => {
      counting.calls += 1;
      return verifier.verifyRequest(request);
    }) as Verifier['verifyRequest'],
  };
  return counting;
}

function appModule(verifier: Verifier, global: boolean) {
  @Module({ imports: [TokenwardenModule.forRoot({ verifier, global })], controllers: CONTROLLERS })
  class AppModule {}
  return AppModule;
}

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: AUDIENCE });
});
afterAll(async () => {
  await issuer?.close();
});

describe.each(PLATFORMS)('nest-%s: route decorators', (platform) => {
  let harness: NestHarness;
  let appWide: NestHarness;
  let verifier: Verifier & { calls: number };

  beforeAll(async () => {
    verifier = countingVerifier();
    harness = await startNest(platform, appModule(verifier, false));
    appWide = await startNest(platform, appModule(verifier, true));
  });
  afterAll(async () => {
    await harness?.close();
    await appWide?.close();
  });

  it('applies a class-level requirement to every route of the class', async () => {
    expect((await harness.send('/orders', await bearer({ sub: 'alice', scope: 'orders:read' }))).body).toEqual({ sub: 'alice' });
    const refused = await harness.send('/orders', await bearer({ scope: 'profile' }));
    expect(refused.status).toBe(403);
    expect(refused.header('www-authenticate')).toContain('scope="orders:read"');
    expect((await harness.send('/orders')).status).toBe(401);
  });

  it('adds a method-level requirement to the class-level one', async () => {
    const both = await harness.send('/orders/admin', await bearer({ sub: 'root', scope: 'orders:read', roles: ['admin'] }));
    expect(both.status).toBe(200);
    expect(both.body).toEqual({ sub: 'root' });
    const roleOnly = await harness.send('/orders/admin', await bearer({ roles: ['admin'] }));
    expect(roleOnly.status).toBe(403);
    expect(roleOnly.header('www-authenticate')).toContain('scope="orders:read"');
    const scopeOnly = await harness.send('/orders/admin', await bearer({ scope: 'orders:read', roles: ['user'] }));
    expect(scopeOnly.status).toBe(403);
    expect(scopeOnly.header('www-authenticate')).not.toContain('scope="');
  });

  it('opens a @Public() method of a protected class, and keeps a method requirement in a @Public() class', async () => {
    expect(await harness.send('/orders/health')).toMatchObject({ status: 200, body: { ok: true } });
    expect(await harness.send('/catalog')).toMatchObject({ status: 200, body: { public: true } });
    expect((await harness.send('/catalog/drafts')).status).toBe(401);
    const allowed = await harness.send('/catalog/drafts', await bearer({ sub: 'ed', scope: 'catalog:admin', tenant: 'acme' }));
    expect(allowed).toMatchObject({ status: 200, body: { sub: 'ed', tenant: 'acme' } });
  });

  it('keeps the requirements of a base class on the controllers that extend it', async () => {
    expect((await harness.send('/reports', await bearer({ scope: 'profile' }))).status).toBe(403);
    expect((await harness.send('/reports', await bearer({ scope: 'reports:read' }))).status).toBe(200);
  });

  it('protects with @UseGuards(TokenwardenGuard) or a bare @UseTokenwardenGuards(), and sets request.auth', async () => {
    expect((await harness.send('/plain/guarded')).status).toBe(401);
    expect((await harness.send('/plain/guarded', await bearer({ sub: 'gus' }))).body).toEqual({ sub: 'gus' });
    expect((await harness.send('/plain/service')).status).toBe(401);
    expect((await harness.send('/plain/service', await bearer({ sub: 'sam' }))).body).toEqual({ sub: 'sam' });
  });

  it('answers @Claims() on a route the guard did not protect with a 500 from Nest’s error handling', async () => {
    const token = await bearer();
    expect(await harness.send('/plain', token)).toMatchObject({ status: 500, body: { handledBy: `nest-${platform}` } });
    expect(await harness.send('/catalog/whoami', token)).toMatchObject({ status: 500, body: { handledBy: `nest-${platform}` } });
  });

  it('global: true protects every route not marked @Public()', async () => {
    expect((await appWide.send('/plain')).status).toBe(401);
    expect(await appWide.send('/plain', await bearer({ sub: 'gil' }))).toMatchObject({ status: 200, body: { sub: 'gil' } });
    expect((await appWide.send('/orders/health')).status).toBe(200);
    expect((await appWide.send('/catalog')).status).toBe(200);
    expect((await appWide.send('/catalog/drafts')).status).toBe(401);
  });

  it('verifies a token and runs the route’s guards once per request, however many times the guard is applied', async () => {
    const headers = await bearer({ sub: 'cy', scope: 'orders:read' });
    for (const app of [harness, appWide]) {
      counted = 0;
      verifier.calls = 0;
      expect(await app.send('/counted', headers)).toMatchObject({ status: 200, body: { sub: 'cy' } });
      expect(counted).toBe(1);
      expect(verifier.calls).toBe(1);
    }
  });
});

describe('decorator misuse, when the class is defined', () => {
  it('refuses @Public() with a requirement on the same method or class, in either order', () => {
    expect(() => {
      class Both {
        @Public()
        @RequireScopes('orders:read')
        get() {}
      }
      return Both;
    }).toThrow(/@Public\(\) contradicts another decorator of the same method/);
    expect(() => {
      @RequireRoles('admin')
      @Public()
      class Both {}
      return Both;
    }).toThrow(/@RequireRoles\(\) contradicts another decorator of the same class/);
  });

  it('refuses arguments that are not scopes, roles, guards or a claim name', () => {
    expect(() => RequireScopes('orders read')).toThrow(TypeError);
    expect(() => RequireAnyScope()).toThrow(TypeError);
    expect(() => RequireRoles('admin', { match: 'some' as 'any' })).toThrow(/"match"/);
    expect(() => UseTokenwardenGuards('orders:read' as never)).toThrow(/arguments of @UseTokenwardenGuards\(\)/);
    expect(() => Claims(42 as unknown as string)).toThrow(/@Claims\(\) takes a claim name/);
  });

  it('refuses a requirement on something that is neither a class nor a method', () => {
    const decorate = RequireScopes('orders:read') as unknown as (target: object, key: string) => void;
    expect(() => decorate({}, 'field')).toThrow(/decorates a controller class or a route method/);
  });
});
