// The guard: extract → verify → guards of the module, the class and the method, through
// ../core.ts. A refusal becomes an HttpException carrying the RFC 6750 body, with the challenge
// or Retry-After set on the platform's response first, so Nest's exception layer sends the same
// bytes on Express and Fastify (and a user's exception filter can still reshape the body).
import { HttpException, Inject, Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { nodeSource } from '../core.js';
import { admit, stateOf, TokenwardenService } from './service.js';

type NodeRequest = Parameters<typeof nodeSource>[0];

/** The Node request behind a platform's request: Fastify wraps it in `raw`, Express is it. */
function incoming(request: object): NodeRequest {
  const raw = (request as { raw?: unknown }).raw;
  return (typeof raw === 'object' && raw !== null ? raw : request) as NodeRequest;
}

/**
 * Lets a request through only with a valid bearer token that passes the guards of
 * `TokenwardenModule` and of the route's decorators, and sets `request.auth`. Applied by every
 * requirement decorator (`@RequireScopes()` …), app-wide by `TokenwardenModule.forRoot({ global:
 * true })`, or as `@UseGuards(TokenwardenGuard)` for a token and nothing more.
 */
export class TokenwardenGuard implements CanActivate {
  readonly #service: TokenwardenService<object>;
  readonly #host: HttpAdapterHost;

  /** Nest creates the guard; its dependencies come from `TokenwardenModule`. */
  constructor(service: TokenwardenService<object>, host: HttpAdapterHost) {
    this.#service = service;
    this.#host = host;
  }

  /** Resolves `true` for a request to let through; throws an HttpException with the refusal. */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      throw new TypeError(`tokenwarden: TokenwardenGuard protects HTTP routes, not a "${context.getType()}" context`);
    }
    const state = stateOf(this.#service);
    const check = state.checkFor(context.getClass(), context.getHandler());
    if (check === undefined) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<object>();
    // The guard runs once per place it is applied (app-wide, class, method); the first run
    // already checked the whole route.
    if (state.passed.get(request) === check) return true;
    const outcome = await check(request, nodeSource(incoming(request)));
    if (outcome.answer !== undefined) {
      const { answer } = outcome;
      const response = http.getResponse<object>();
      for (const [name, value] of Object.entries(answer.headers)) this.#host.httpAdapter.setHeader(response, name, value);
      throw new HttpException(answer.body, answer.status, { cause: answer.error });
    }
    state.passed.set(request, check);
    admit(request, outcome.claims);
    return true;
  }
}

Injectable()(TokenwardenGuard);
Inject(TokenwardenService)(TokenwardenGuard, undefined, 0);
Inject(HttpAdapterHost)(TokenwardenGuard, undefined, 1);
