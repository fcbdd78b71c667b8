// The shared adapter contract against real Nest apps, on both platforms, with the guard applied
// by the route decorators and, again, app-wide (global: true) on top of them.
import { Controller, Get, Module, Req, Res, type DynamicModule } from '@nestjs/common';
import type { AccessTokenClaims } from '../../../src/index.js';
import { Claims, Public, TokenwardenModule, TokenwardenService, UseTokenwardenGuards, type AuthOptions } from '../../../src/adapters/nest.js';
import { adapterContract } from '../contract.js';
import { METADATA_PATH, PUBLIC_PATH, READY_PATH, ROUTES, type TestClaims } from '../support.js';
import { PLATFORMS, startNest } from './app.js';

/** The guards ROUTES gives `path`: the contract's routes, declared through @UseTokenwardenGuards(). */
function guardsOf(path: string) {
  const route = ROUTES.find((candidate) => candidate.path === path);
  if (route === undefined) throw new Error(`no contract route ${path}`);
  return route.guards;
}

@Controller()
class ContractController {
  @Get('me')
  @UseTokenwardenGuards(...guardsOf('/me'))
  me(@Req() request: { auth?: AccessTokenClaims }) {
    return { sub: request.auth?.sub, path: '/me' };
  }

  @Get('orders')
  @UseTokenwardenGuards(...guardsOf('/orders'))
  orders(@Claims() claims: AccessTokenClaims & TestClaims) {
    return { sub: claims.sub, path: '/orders' };
  }

  @Get('any')
  @UseTokenwardenGuards(...guardsOf('/any'))
  any(@Claims('sub') sub: string) {
    return { sub, path: '/any' };
  }

  @Get('admin')
  @UseTokenwardenGuards(...guardsOf('/admin'))
  admin(@Claims() claims: AccessTokenClaims) {
    return { sub: claims.sub, path: '/admin' };
  }

  @Get('tenant')
  @UseTokenwardenGuards(...guardsOf('/tenant'))
  tenant(@Claims() claims: AccessTokenClaims) {
    return { sub: claims.sub, path: '/tenant' };
  }

  @Get('refunds')
  @UseTokenwardenGuards(...guardsOf('/refunds'))
  refunds(@Claims() claims: AccessTokenClaims) {
    return { sub: claims.sub, path: '/refunds' };
  }

  @Get('broken')
  @UseTokenwardenGuards(...guardsOf('/broken'))
  broken(@Claims() claims: AccessTokenClaims) {
    return { sub: claims.sub, path: '/broken' };
  }

  @Get(PUBLIC_PATH)
  @Public()
  open() {
    return { public: true };
  }
}

@Controller()
class MetadataController {
  constructor(private readonly tokenwarden: TokenwardenService) {}

  @Get(METADATA_PATH)
  @Public()
  metadata() {
    return this.tokenwarden.metadata();
  }

  @Get(READY_PATH)
  @Public()
  ready(@Res({ passthrough: true }) res: { status(code: number): unknown; header(name: string, value: string): unknown }) {
    const { status, headers, body } = this.tokenwarden.readiness();
    res.status(status);
    for (const [name, value] of Object.entries(headers)) res.header(name, value);
    return body;
  }
}

function appModule(options: AuthOptions<TestClaims>, global: boolean): DynamicModule {
  @Module({ imports: [TokenwardenModule.forRoot({ ...options, global })], controllers: [ContractController, MetadataController] })
  class AppModule {}
  return { module: AppModule };
}

for (const platform of PLATFORMS) {
  adapterContract(`nest-${platform}`, (options) => startNest(platform, appModule(options, false)));
  adapterContract(`nest-${platform}`, (options) => startNest(platform, appModule(options, true)), 'guard also app-wide, real HTTP on loopback');
}
