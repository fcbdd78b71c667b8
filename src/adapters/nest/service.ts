// The one tokenwarden instance of a Nest app: the resolved options (through ../core.ts), the
// per-route checks built from them, and the claims of the requests its guard let through.
import type { AccessTokenClaims } from '../../claims/types.js';
import type { Verifier } from '../../verifier.js';
import { createCore, type AuthOptions, type Core, type ProtectedResourceMetadata, type ReadinessAnswer, type RequestCheck } from '../core.js';
import { routeOf } from './routes.js';

/** What the guard needs of a service, kept off its public surface. */
export interface ServiceState {
  readonly core: Core<object>;
  /**
   * The check of one route (a handler served by a controller class), built on first use;
   * `undefined` for a public route.
   */
  checkFor(controller: object, handler: object): RequestCheck<AccessTokenClaims> | undefined;
  /** Requests let through, with the check that did it: a second guard run on the route is a no-op. */
  readonly passed: WeakMap<object, RequestCheck<AccessTokenClaims>>;
  /** The readiness answer, built on the first probe. */
  readiness?: () => ReadinessAnswer;
}

const states = new WeakMap<object, ServiceState>();

/** The state behind a service; only services built by the constructor have one. */
export function stateOf(service: TokenwardenService<object>): ServiceState {
  const state = states.get(service);
  if (state === undefined) throw new TypeError('tokenwarden: TokenwardenGuard needs the TokenwardenService of TokenwardenModule');
  return state;
}

// Claims by request, for @Claims() and service.claims(): set only when the guard lets a request
// through, so reading them elsewhere is a bug the framework answers with a 500.
const letThrough = new WeakMap<object, AccessTokenClaims>();

/** Records the claims of a request the guard let through (and puts them on `request.auth`). */
export function admit(request: object, claims: AccessTokenClaims): void {
  letThrough.set(request, claims);
  (request as { auth?: AccessTokenClaims }).auth = claims;
}

/** The claims of a request the guard let through; throws naming `where` for any other request. */
export function admittedClaims(request: unknown, where: string): AccessTokenClaims {
  const claims = typeof request === 'object' && request !== null ? letThrough.get(request) : undefined;
  if (claims === undefined) {
    throw new Error(
      `tokenwarden: ${where} was used for a request that no TokenwardenGuard let through (a @Public() route, or one without the guard)`,
    );
  }
  return claims;
}

/**
 * The tokenwarden instance `TokenwardenModule` provides: inject it to read the verifier, the
 * RFC 9728 document or a request's claims outside a route handler.
 */
export class TokenwardenService<Claims extends object = Record<never, never>> {
  /** The verifier of every protected route (shared: it holds the key cache). */
  readonly verifier: Verifier<Claims>;

  /**
   * Checks `options` (TypeError/RangeError naming the option). `TokenwardenModule` creates the
   * service; there is no need to call this yourself.
   */
  constructor(options: AuthOptions<Claims>) {
    const core = createCore(options, []);
    this.verifier = core.verifier;
    // Checks per controller class, then per handler: a handler inherited by two controllers
    // gets each controller's own class-level requirements.
    const checks = new WeakMap<object, WeakMap<object, RequestCheck<AccessTokenClaims> | undefined>>();
    states.set(this, {
      core: core as Core<object>,
      passed: new WeakMap(),
      checkFor(controller, handler) {
        let byHandler = checks.get(controller);
        if (byHandler === undefined) checks.set(controller, (byHandler = new WeakMap()));
        if (byHandler.has(handler)) return byHandler.get(handler);
        const route = routeOf(controller, handler);
        const check = route.public ? undefined : core.protect(route.guards, 'the tokenwarden decorators');
        byHandler.set(handler, check);
        return check;
      },
    });
  }

  /** The RFC 9728 document; throws TypeError when it cannot be built from the options. */
  metadata(): ProtectedResourceMetadata {
    return stateOf(this).core.metadata();
  }

  /**
   * The answer to a readiness probe: `status` 200 with `verifier.health()` as `body` when every
   * issuer has usable keys, else 503 with a `Retry-After` header (and the fetch started).
   * Send all three from a `@Public()` route; `headers` include `Cache-Control: no-store`.
   *
   * @example
   * ```ts
   * @Get('ready') @Public()
   * ready(@Res({ passthrough: true }) res: { status(code: number): unknown; header(name: string, value: string): unknown }) {
   *   const { status, headers, body } = this.tokenwarden.readiness();
   *   res.status(status);
   *   for (const [name, value] of Object.entries(headers)) res.header(name, value);
   *   return body;
   * }
   * ```
   */
  readiness(): ReadinessAnswer {
    const state = stateOf(this);
    return (state.readiness ??= state.core.readiness())();
  }

  /** The claims of a request TokenwardenGuard let through, typed with your claims; throws (a 500) for any other request. */
  claims(request: object): AccessTokenClaims & Claims {
    return admittedClaims(request, 'TokenwardenService.claims(request)') as AccessTokenClaims & Claims;
  }
}
