// TokenwardenModule: options checked once (forRoot at once, forRootAsync's factory at start-up),
// configuration from an injected service, refusals as Nest exceptions that are the same bytes on
// both platforms as from tokenwarden/express.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Catch,
  Controller,
  Get,
  HttpException,
  Injectable,
  Module,
  type ArgumentsHost,
  type DynamicModule,
  type ExceptionFilter,
  type ExecutionContext,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAccessTokenError, requireClaims, requireScopes, type AccessTokenClaims } from '../../../src/index.js';
import { createAuth } from '../../../src/adapters/express.js';
import { Claims, RequireScopes, TokenwardenGuard, TokenwardenModule, type NestAuthOptions } from '../../../src/adapters/nest.js';
import { createTestIssuer, type TestIssuer } from '../../../src/testing/index.js';
import { tamper } from '../support.js';
import { PLATFORMS, startNest, type NestHarness } from './app.js';

const AUDIENCE = 'orders-api';
let issuer: TestIssuer;
const verifierOptions = (): NestAuthOptions['verifier'] => ({ issuer: issuer.issuer, audience: AUDIENCE, jwksUri: issuer.jwksUri });

@Controller('orders')
class OrdersController {
  @Get()
  @RequireScopes('orders:read')
  list(@Claims() claims: AccessTokenClaims) {
    return { sub: claims.sub };
  }
}

/** The configuration service of a user's app, which forRootAsync reads the issuer from. */
@Injectable()
class AppConfig {
  constructor(private readonly values: ReadonlyMap<string, string>) {}
  get(name: string): string {
    const value = this.values.get(name);
    if (value === undefined) throw new Error(`no configuration value ${name}`);
    return value;
  }
}

@Module({})
class ConfigModule {
  static forRoot(values: Record<string, string>): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: AppConfig, useValue: new AppConfig(new Map(Object.entries(values))) }], exports: [AppConfig] };
  }
}

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: AUDIENCE });
});
afterAll(async () => {
  await issuer?.close();
});

describe('TokenwardenModule.forRoot', () => {
  it('refuses wrong options at once with TypeError or RangeError naming them', () => {
    const verifier = verifierOptions();
    expect(() => TokenwardenModule.forRoot({ verifier, cookie: 'bad cookie' })).toThrow(/"cookie"/);
    expect(() => TokenwardenModule.forRoot({ verifier, realm: 'caf\u00e9' })).toThrow(/"realm"/);
    expect(() => TokenwardenModule.forRoot({ verifier, retryAfter: 0 })).toThrow(RangeError);
    expect(() => TokenwardenModule.forRoot({ verifier, global: 'yes' as unknown as boolean })).toThrow(/"global"/);
    expect(() => TokenwardenModule.forRoot({ verifier, guards: ['x'] } as unknown as NestAuthOptions)).toThrow(TypeError);
    expect(() => TokenwardenModule.forRoot({ verifier, errorResponse: () => {} } as unknown as NestAuthOptions)).toThrow(/unknown option "errorResponse"/);
    expect(() => TokenwardenModule.forRoot({ verifier: { issuer: issuer.issuer } } as unknown as NestAuthOptions)).toThrow(/"audience"/);
    expect(() => TokenwardenModule.forRoot(undefined as unknown as NestAuthOptions)).toThrow(/TokenwardenModule.forRoot\(\) needs an options object/);
  });
});

describe('TokenwardenModule.forRoot guards', () => {
  it('checks the module’s guards on every protected route, before the route’s own', async () => {
    const onlyAcme = requireClaims<{ tenant?: string }>((claims) => claims.tenant === 'acme');
    @Module({ imports: [TokenwardenModule.forRoot({ verifier: verifierOptions(), guards: [onlyAcme] })], controllers: [OrdersController] })
    class AppModule {}
    const app = await startNest('fastify', AppModule);
    try {
      const globex = await app.send('/orders', [['authorization', `Bearer ${await issuer.sign({ tenant: 'globex' })}`]]);
      expect(globex.status).toBe(403);
      expect(globex.header('www-authenticate')).not.toContain('scope="orders:read"');
      const acme = await app.send('/orders', [['authorization', `Bearer ${await issuer.sign({ sub: 'ann', tenant: 'acme', scope: 'orders:read' })}`]]);
      expect(acme).toMatchObject({ status: 200, body: { sub: 'ann' } });
    } finally {
      await app.close();
    }
  });
});

describe('TokenwardenModule.forRootAsync', () => {
  let harness: NestHarness;

  beforeAll(async () => {
    @Module({
      imports: [
        TokenwardenModule.forRootAsync({
          imports: [ConfigModule.forRoot({ ISSUER: issuer.issuer, JWKS_URI: issuer.jwksUri, REALM: 'configured' })],
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            verifier: { issuer: config.get('ISSUER'), audience: AUDIENCE, jwksUri: config.get('JWKS_URI') },
            realm: config.get('REALM'),
          }),
        }),
      ],
      controllers: [OrdersController],
    })
    class AppModule {}
    harness = await startNest('express', AppModule);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('builds the options from an injected configuration service', async () => {
    const token = await issuer.sign({ sub: 'ada', scope: 'orders:read' });
    expect(await harness.send('/orders', [['authorization', `Bearer ${token}`]])).toMatchObject({ status: 200, body: { sub: 'ada' } });
    expect((await harness.send('/orders')).header('www-authenticate')).toBe('Bearer realm="configured"');
  });

  it('refuses its own wrong options at once', () => {
    expect(() => TokenwardenModule.forRootAsync({} as never)).toThrow(/"useFactory"/);
    expect(() => TokenwardenModule.forRootAsync({ useFactory: () => ({ verifier: verifierOptions() }), inject: 'x' } as never)).toThrow(/"inject"/);
    expect(() => TokenwardenModule.forRootAsync({ useFactory: () => ({ verifier: verifierOptions() }), global: 1 } as never)).toThrow(/"global"/);
    expect(() => TokenwardenModule.forRootAsync({ useFactory: () => ({ verifier: verifierOptions() }), useClass: class {} } as never)).toThrow(
      /unknown option "useClass"/,
    );
  });

  it('fails the app’s start-up when the factory’s options are wrong, naming the option', async () => {
    const start = (useFactory: () => unknown) => {
      @Module({ imports: [TokenwardenModule.forRootAsync({ useFactory: useFactory as () => never })], controllers: [OrdersController] })
      class AppModule {}
      return NestFactory.create(AppModule, { logger: false, abortOnError: false });
    };
    await expect(start(async () => ({ verifier: verifierOptions(), cookie: 'bad cookie' }))).rejects.toThrow(/"cookie"/);
    await expect(start(() => ({ verifier: verifierOptions(), global: true }))).rejects.toThrow(/unknown option "global"/);
    await expect(start(() => null)).rejects.toThrow(/useFactory of TokenwardenModule.forRootAsync\(\) needs an options object/);
  });
});

/** What a client receives, byte for byte (headers that differ by server are left out). */
async function raw(origin: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${origin}/orders`, { headers });
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    type: response.headers.get('content-type'),
    body: await response.text(),
  };
}

describe('refusals as Nest exceptions', () => {
  const apps: NestHarness[] = [];
  const origins: string[] = [];
  let expressServer: Server;

  beforeAll(async () => {
    const options = { verifier: verifierOptions(), realm: 'orders' };
    for (const platform of PLATFORMS) {
      @Module({ imports: [TokenwardenModule.forRoot(options)], controllers: [OrdersController] })
      class AppModule {}
      const app = await startNest(platform, AppModule);
      apps.push(app);
      origins.push(`http://127.0.0.1:${((app.app.getHttpServer() as Server).address() as AddressInfo).port}`);
    }
    // The same route on tokenwarden/express, the reference for the answers.
    const auth = createAuth(options);
    const reference = express();
    reference.get('/orders', auth.protect(requireScopes('orders:read')), (_req, res) => {
      res.json({});
    });
    expressServer = reference.listen(0, '127.0.0.1');
    await new Promise((resolve) => expressServer.once('listening', resolve));
    origins.push(`http://127.0.0.1:${(expressServer.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    expressServer?.closeAllConnections();
    await new Promise((resolve) => expressServer?.close(resolve));
  });

  it('answers with the same status, challenge, content type and body bytes on Express, Fastify and tokenwarden/express', async () => {
    const expired = await issuer.sign({ exp: Math.floor(Date.now() / 1000) - 600 });
    const requests = [
      {},
      { authorization: 'Bearer' },
      { authorization: `Bearer ${tamper(await issuer.sign())}` },
      { authorization: `Bearer ${expired}` },
      { authorization: `Bearer ${await issuer.sign({ scope: 'profile' })}` },
    ];
    for (const headers of requests) {
      const [nestExpress, nestFastify, reference] = await Promise.all(origins.map((origin) => raw(origin, headers)));
      expect(nestExpress).toEqual(reference);
      expect(nestFastify).toEqual(reference);
    }
  });

  it('carries the AccessTokenError as the exception’s cause, for an exception filter of your own', async () => {
    @Catch(HttpException)
    class RefusalEnvelope implements ExceptionFilter {
      catch(exception: HttpException, host: ArgumentsHost) {
        const reply = host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>();
        const { cause } = exception;
        reply.status(exception.getStatus()).json({ refused: exception.getResponse(), code: isAccessTokenError(cause) ? cause.code : null });
      }
    }
    @Module({ imports: [TokenwardenModule.forRoot({ verifier: verifierOptions() })], controllers: [OrdersController] })
    class AppModule {}
    const app = await startNest('express', AppModule, 'nest', (nest) => nest.useGlobalFilters(new RefusalEnvelope()));
    try {
      const expired = await issuer.sign({ exp: Math.floor(Date.now() / 1000) - 600 });
      const reply = await app.send('/orders', [['authorization', `Bearer ${expired}`]]);
      expect(reply.status).toBe(401);
      expect(reply.header('www-authenticate')).toContain('error="invalid_token"');
      expect(reply.body).toEqual({ refused: { error: 'invalid_token', error_description: expect.any(String) }, code: 'token_expired' });
      expect((await app.send('/orders')).body).toEqual({ refused: { error: 'unauthorized', error_description: expect.any(String) }, code: null });
    } finally {
      await app.close();
    }
  });

  it('refuses to guard a context that is not HTTP', async () => {
    const guard = apps[0]?.app.get(TokenwardenGuard);
    const context = { getType: () => 'rpc' } as unknown as ExecutionContext;
    await expect(guard?.canActivate(context)).rejects.toThrow(/protects HTTP routes, not a "rpc" context/);
  });
});
