// Route decorators, usable on a controller class and on its methods. Each requirement decorator
// also applies TokenwardenGuard, so a requirement can never be declared and silently left
// unchecked on a route the guard does not cover.
import { createParamDecorator, UseGuards } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { guardList } from '../../guards/guard.js';
import { requireRoles, type RequireRolesOptions } from '../../guards/roles.js';
import { requireAnyScope, requireScopes } from '../../guards/scopes.js';
import type { Guard } from '../core.js';
import { TokenwardenGuard } from './guard.js';
import { declare } from './routes.js';
import { admittedClaims } from './service.js';

/** A decorator for a controller class or one of its route methods. */
export type RouteDecorator = ClassDecorator & MethodDecorator;

type Target = { kind: 'class' | 'method'; holder: object };

function targetOf(decorator: string, target: object, key: string | symbol | undefined, descriptor: PropertyDescriptor | undefined): Target {
  if (key === undefined && typeof target === 'function') return { kind: 'class', holder: target };
  if (descriptor !== undefined && typeof descriptor.value === 'function') return { kind: 'method', holder: descriptor.value as object };
  throw new TypeError(`tokenwarden: ${decorator} decorates a controller class or a route method`);
}

function requirement(decorator: string, guards: readonly Guard<object>[]): RouteDecorator {
  const applyGuard = UseGuards(TokenwardenGuard);
  return ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const { kind, holder } = targetOf(decorator, target, key, descriptor);
    declare(holder, kind, decorator, guards);
    if (kind === 'class') applyGuard(target as CallableFunction);
    else applyGuard(target, key as string | symbol, descriptor as PropertyDescriptor);
  }) as RouteDecorator;
}

/**
 * Requires every one of `scopes` (from `scope` or `scp`); refused with 403 `insufficient_scope`
 * naming them in the challenge. On a class, every route of it.
 *
 * @example
 * ```ts
 * @RequireScopes('orders:read')
 * @Get()
 * list(@Claims() claims: AccessTokenClaims) {}
 * ```
 */
export function RequireScopes(...scopes: string[]): RouteDecorator {
  return requirement('@RequireScopes()', [requireScopes(...scopes)]);
}

/** Requires at least one of `scopes`; refused with 403 `insufficient_scope`. */
export function RequireAnyScope(...scopes: string[]): RouteDecorator {
  return requirement('@RequireAnyScope()', [requireAnyScope(...scopes)]);
}

/** Requires `roles` read from a claim, as `requireRoles(roles, options)` does. */
export function RequireRoles(roles: string | readonly string[], options?: RequireRolesOptions): RouteDecorator {
  return requirement('@RequireRoles()', [requireRoles(roles, options)]);
}

/**
 * Requires the given guards: `requireClaims(...)`, `anyOf(...)`, or your own throwing
 * `insufficientScope(...)`. Without arguments: a valid token and nothing more.
 */
export function UseTokenwardenGuards<Claims extends object = Record<never, never>>(...guards: Guard<Claims>[]): RouteDecorator {
  return requirement('@UseTokenwardenGuards()', guardList<object>('the arguments of @UseTokenwardenGuards()', guards));
}

/**
 * The route needs no token: on a method, whatever its class requires; on a class, every route
 * of it without a requirement of its own. With the guard app-wide (`global: true`) this is how
 * health checks and the metadata route stay open.
 */
export function Public(): RouteDecorator {
  return ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const { kind, holder } = targetOf('@Public()', target, key, descriptor);
    declare(holder, kind, '@Public()', 'public');
  }) as RouteDecorator;
}

const claimsParameter = createParamDecorator((name: string | undefined, context: ExecutionContext): unknown => {
  const claims = admittedClaims(context.switchToHttp().getRequest<unknown>(), '@Claims()');
  return name === undefined ? claims : claims[name];
});

/**
 * The verified claims of the request, or one claim of them (`@Claims('tenant')`). Annotate the
 * parameter with your claims type (`AccessTokenClaims & MyClaims`). Where TokenwardenGuard did
 * not let the request through (a @Public() route, or one without the guard), reading them is a
 * bug: an Error, which Nest answers with 500.
 */
export function Claims(name?: string): ParameterDecorator {
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw new TypeError('tokenwarden: @Claims() takes a claim name (a non-empty string) or nothing');
  }
  return claimsParameter(name);
}
