import type { AccessTokenClaims } from '../../src/index.js';

export const claims = (extra: Record<string, unknown> = {}): AccessTokenClaims => ({
  iss: 'https://auth.example.com',
  aud: 'api',
  exp: 2_000_000_000,
  sub: 'alice',
  ...extra,
});
