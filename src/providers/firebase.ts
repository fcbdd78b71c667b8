import type { AccessTokenClaims } from '../claims/types.js';
import type { VerifierOptions } from '../verifier.js';
import { pathSegment, presetOptions } from './check.js';

/** The options of {@link firebase}. */
export interface FirebaseOptions {
  /** The Firebase project id (Project settings › General), e.g. `my-app-1234`. Required. */
  projectId: string;
}

/** Claims of a Firebase Authentication ID token. */
export interface FirebaseClaims extends AccessTokenClaims {
  /** The user's uid: non-empty, at most 128 characters. */
  sub: string;
  /** The project id. */
  aud: string;
  /** When the user signed in; never in the future. */
  auth_time: number;
  /** The same uid as `sub`. */
  user_id: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  picture?: string;
  phone_number?: string;
  firebase: {
    /** `password`, `google.com`, `phone`, `anonymous`, `custom`… */
    sign_in_provider: string;
    identities: Record<string, unknown>;
    tenant?: string;
  };
}

// Firebase publishes the same keys as X.509 certificates (its documentation's URL) and as a
// JWKS here; the verifier reads JWKS.
const FIREBASE_JWKS = 'https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com';

/**
 * Options for Firebase Authentication ID tokens, which Firebase apps send to their own back
 * ends: issuer `https://securetoken.google.com/{projectId}`, audience the project id, Google's
 * `securetoken` key set, and the claims Firebase says to check: `sub` present (and non-empty)
 * and `auth_time` present (and not in the future). Returns plain {@link VerifierOptions}.
 *
 * @example
 * ```ts
 * import { createVerifier } from 'tokenwarden';
 * import { firebase, type FirebaseClaims } from 'tokenwarden/providers';
 *
 * const verifier = createVerifier<FirebaseClaims>(firebase({ projectId: 'my-app-1234' }));
 * ```
 */
export function firebase(options: FirebaseOptions): VerifierOptions {
  const given = presetOptions('firebase', options, ['projectId']);
  const projectId = pathSegment('projectId', given.projectId);
  return {
    issuer: `https://securetoken.google.com/${projectId}`,
    audience: projectId,
    jwksUri: FIREBASE_JWKS,
    requiredClaims: ['sub', 'auth_time'],
  };
}
