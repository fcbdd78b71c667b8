// NestJS (10+, on Express or Fastify): a module, a guard and route decorators, with the claims on
// `request.auth` and through `@Claims()`. Nest's decorators are applied as functions, so this
// code needs no `experimentalDecorators`; your app uses them as decorators. Glue only; see
// ./core.ts and ./nest/.
export { TokenwardenModule, type NestAuthAsyncOptions, type NestAuthOptions } from './nest/module.js';
export { TokenwardenGuard } from './nest/guard.js';
export { TokenwardenService } from './nest/service.js';
export { Claims, Public, RequireAnyScope, RequireRoles, RequireScopes, UseTokenwardenGuards, type RouteDecorator } from './nest/decorators.js';

export type { AccessTokenClaims, AuthOptions, ErrorAnswer, Guard, ProtectedResourceMetadata, ProtectedResourceMetadataOptions, ReadinessAnswer } from './core.js';
export { incomingToken, type IncomingToken } from './incoming-token.js';
export type { RequireRolesOptions } from '../guards/roles.js';
