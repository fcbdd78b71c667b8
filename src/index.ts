export { createVerifier } from './verifier.js';
export { AccessTokenError, ERROR_DESCRIPTION, ERROR_STATUS, insufficientScope, isAccessTokenError } from './errors.js';
export { createMemoryRevocationStore } from './revocation/memory.js';
export { SUPPORTED_ALGORITHMS } from './token/algorithms.js';
export { CHANNELS } from './events/channels.js';

export type { Verifier, VerifierOptions } from './verifier.js';
export type { JsonWebKeySet, JwksOptions } from './jwks/options.js';
export type { AccessTokenErrorOptions, ErrorCode } from './errors.js';
export type { AccessTokenClaims } from './claims/types.js';
export type { ExpectedClaimValue } from './claims/options.js';
export type { RevocationChecker } from './revocation/checker.js';
export type { MemoryRevocationStore, MemoryRevocationStoreOptions } from './revocation/memory.js';
export type { Algorithm } from './token/algorithms.js';
export type { JwsHeader } from './token/parse.js';
export type { FetchLike } from './jwks/http.js';
export type { IssuerHealth, VerifierHealth } from './events/health.js';
export type { VerifyContext } from './events/verify.js';
export type { JwksFetchEvent, JwksFetchReason, JwksMetadataReading, JwksSkippedEvent, JwksStaleEvent } from './events/jwks.js';
export type { RevocationErrorEvent, RevocationFailOpenEvent } from './events/revocation.js';
export type { CacheEvictEvent } from './events/cache.js';
export { requireScopes, requireAnyScope } from './guards/scopes.js';
export { requireRoles } from './guards/roles.js';
export { requireClaims } from './guards/claims.js';
export { allOf, anyOf } from './guards/compose.js';

export type { Guard } from './guards/guard.js';
export type { RequireRolesOptions } from './guards/roles.js';
