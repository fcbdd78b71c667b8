// The Nest app of the example, written as in your project. Its module reads the issuer from
// the environment, which server.ts sets to a local test issuer.
import { Controller, Get, Inject, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AccessTokenClaims } from '../../src/index.js';
import { Claims, Public, RequireScopes, TokenwardenModule, TokenwardenService } from '../../src/adapters/nest.js';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}

@Controller('api/orders')
export class OrdersController {
  @Get()
  @RequireScopes('orders:read')
  list(@Claims() claims: AccessTokenClaims) {
    return { user: claims.sub, orders: [] };
  }
}

@Controller()
export class WellKnownController {
  // @Inject() spelled out: tsx (esbuild) does not emit the metadata that injection by type reads.
  constructor(@Inject(TokenwardenService) private readonly tokenwarden: TokenwardenService) {}

  @Get('.well-known/oauth-protected-resource')
  @Public()
  metadata() {
    return this.tokenwarden.metadata();
  }
}

@Module({
  imports: [
    TokenwardenModule.forRoot({
      verifier: { issuer: env('AUTH_ISSUER'), audience: 'https://orders.example.com', jwksUri: env('AUTH_JWKS_URI') },
      // Every route needs a token unless it is @Public().
      global: true,
    }),
  ],
  controllers: [OrdersController, WellKnownController],
})
export class AppModule {}

/** Starts the app on a free loopback port. */
export async function start(): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule, { logger: false, forceCloseConnections: true });
  await app.listen(0, '127.0.0.1');
  return app;
}
