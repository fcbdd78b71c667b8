// TokenwardenModule: provides the TokenwardenService (options checked once, through ../core.ts)
// to the whole app, and the guard app-wide when asked to.
import { Module } from '@nestjs/common';
import type { DynamicModule, ForwardReference, InjectionToken, OptionalFactoryDependency, Provider, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { boolean, fail, knownKeys, optionsObject } from '../../lib/options.js';
import type { AuthOptions } from '../core.js';
import { TokenwardenGuard } from './guard.js';
import { TokenwardenService } from './service.js';

/** Options of {@link TokenwardenModule.forRoot}: the shared adapter options, and `global`. */
export interface NestAuthOptions<Claims extends object = Record<never, never>> extends AuthOptions<Claims> {
  /**
   * Registers TokenwardenGuard app-wide (APP_GUARD): every route needs a valid token unless it
   * is marked `@Public()`. Without it, a route is protected by a requirement decorator or
   * `@UseGuards(TokenwardenGuard)`.
   * @default false
   */
  global?: boolean;
}

/** Options of {@link TokenwardenModule.forRootAsync}: the adapter options come from a factory. */
export interface NestAuthAsyncOptions<Claims extends object = Record<never, never>> {
  /**
   * Modules whose providers `useFactory` needs (a `ConfigModule`).
   * @default []
   */
  imports?: (Type | DynamicModule | Promise<DynamicModule> | ForwardReference)[];
  /**
   * Providers handed to `useFactory`, in order.
   * @default []
   */
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  /** Returns the adapter options (everything {@link NestAuthOptions} takes but `global`). */
  useFactory: (...args: never[]) => AuthOptions<Claims> | Promise<AuthOptions<Claims>>;
  /**
   * As {@link NestAuthOptions.global}: decided here, since it shapes the module.
   * @default false
   */
  global?: boolean;
}

const ASYNC_OPTION_NAMES = ['imports', 'inject', 'useFactory', 'global'] as const;

function optionalArray(name: string, value: unknown): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(name, 'an array');
  return value as unknown[];
}

function dynamicModule(service: Provider, global: boolean, imports: DynamicModule['imports'] = []): DynamicModule {
  const providers: Provider[] = [service, TokenwardenGuard];
  if (global) providers.push({ provide: APP_GUARD, useExisting: TokenwardenGuard });
  // A global module: TokenwardenGuard, wherever a decorator applies it, finds the service.
  return { module: TokenwardenModule, global: true, imports, providers, exports: [TokenwardenService, TokenwardenGuard] };
}

/**
 * Bearer-token protection (RFC 6750) for a Nest app on Express or Fastify. Import it once, in
 * the root module.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [TokenwardenModule.forRoot({ verifier: { issuer: 'https://auth.example.com', audience: 'orders-api' }, global: true })],
 *   controllers: [OrdersController],
 * })
 * export class AppModule {}
 * ```
 */
export class TokenwardenModule {
  /**
   * The module for options known when the app is defined. They are checked now: misuse throws
   * TypeError/RangeError naming the option.
   */
  static forRoot<Claims extends object = Record<never, never>>(options: NestAuthOptions<Claims>): DynamicModule {
    const { global, ...authOptions } = optionsObject('TokenwardenModule.forRoot()', options) as unknown as NestAuthOptions<Claims>;
    const isGlobal = boolean('global', global, false);
    return dynamicModule({ provide: TokenwardenService, useValue: new TokenwardenService<Claims>(authOptions) }, isGlobal);
  }

  /**
   * The module for options that come from other providers (configuration, secrets). Its own
   * options are checked now; the factory's, when the app starts (the app fails to start).
   *
   * @example
   * ```ts
   * TokenwardenModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ verifier: { issuer: config.get('ISSUER'), audience: 'orders-api' } }),
   * });
   * ```
   */
  static forRootAsync<Claims extends object = Record<never, never>>(options: NestAuthAsyncOptions<Claims>): DynamicModule {
    knownKeys('', optionsObject('TokenwardenModule.forRootAsync()', options), ASYNC_OPTION_NAMES);
    const { useFactory } = options;
    if (typeof useFactory !== 'function') fail('useFactory', 'a function returning the options');
    const inject = optionalArray('inject', options.inject) as NonNullable<NestAuthAsyncOptions['inject']>;
    const imports = optionalArray('imports', options.imports) as DynamicModule['imports'];
    const isGlobal = boolean('global', options.global, false);
    const service: Provider = {
      provide: TokenwardenService,
      inject,
      useFactory: async (...args: never[]) => {
        const authOptions = await useFactory(...args);
        optionsObject('the useFactory of TokenwardenModule.forRootAsync()', authOptions);
        return new TokenwardenService<Claims>(authOptions);
      },
    };
    return dynamicModule(service, isGlobal, imports);
  }
}

Module({})(TokenwardenModule);
