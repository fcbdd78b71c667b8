import type { AccessTokenClaims } from '../claims/types.js';
import type { VerifierOptions } from '../verifier.js';
import { hostName, oneOrMany, presetOptions } from './check.js';

/** The options of {@link google}. */
export interface GoogleOptions {
  /**
   * What the ID token must be meant for, compared with its `aud`: your OAuth client id(s)
   * (`1234-abc.apps.googleusercontent.com`) for Sign in with Google, or the audience your caller
   * asked Google for (often your service's URL) for ID tokens of service accounts, Cloud Run,
   * Cloud Scheduler or Pub/Sub push. Required: every Google ID token in the world is signed by
   * the same keys, so the audience is what makes one yours.
   */
  audience: string | readonly string[];
  /**
   * Accept only accounts of this Google Workspace domain (or these), through the `hd` claim,
   * which Google sets for Workspace accounts only. The email's domain proves nothing: a
   * consumer account can carry any address.
   * @default unset (any account)
   */
  hostedDomain?: string | readonly string[];
}

/** Claims of a Google-signed ID token. */
export interface GoogleClaims extends AccessTokenClaims {
  /** The Google account (or service account) id: stable, unlike the email. */
  sub: string;
  aud: string;
  /** The client (or service account) that requested the token. */
  azp?: string;
  email?: string;
  email_verified?: boolean;
  /** The Google Workspace domain of the account, if any. */
  hd?: string;
  name?: string;
  picture?: string;
}

/** Google signs ID tokens with either issuer spelling, both with the same keys. */
const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'] as const;
const GOOGLE_JWKS = 'https://www.googleapis.com/oauth2/v3/certs';

/**
 * Options for ID tokens signed by Google, which some APIs accept as bearer tokens (Sign in
 * with Google back ends; service-to-service calls on Google Cloud). Both issuers Google uses,
 * `https://accounts.google.com` and `accounts.google.com`, map to Google's one key set, which
 * the verifier fetches once for both. The audience is yours to give (see
 * {@link GoogleOptions.audience}); `hostedDomain` narrows it to Workspace accounts of a domain.
 * Google ID tokens carry no scopes: authorize on `sub`, `email` with `email_verified`, or `hd`.
 * Returns plain {@link VerifierOptions}.
 *
 * @example
 * ```ts
 * import { createVerifier } from 'tokenwarden';
 * import { google, type GoogleClaims } from 'tokenwarden/providers';
 *
 * const verifier = createVerifier<GoogleClaims>(google({ audience: '1234-abc.apps.googleusercontent.com' }));
 * ```
 */
export function google(options: GoogleOptions): VerifierOptions {
  const given = presetOptions('google', options, ['audience', 'hostedDomain']);
  const hd = given.hostedDomain === undefined ? undefined : oneOrMany('hostedDomain', given.hostedDomain);
  return {
    issuer: [...GOOGLE_ISSUERS],
    audience: oneOrMany('audience', given.audience),
    jwksUri: Object.fromEntries(GOOGLE_ISSUERS.map((issuer) => [issuer, GOOGLE_JWKS])),
    ...(hd === undefined ? {} : { expectClaims: { hd: typeof hd === 'string' ? hostName('hostedDomain', hd, 'example.com') : hd.map((domain) => hostName('hostedDomain', domain, 'example.com')) } }),
  };
}
