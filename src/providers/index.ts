// Presets for the identity providers users have: each returns plain VerifierOptions (data, no
// code), so this subpath runs wherever the verifier does.
export { auth0, auth0Permissions } from './auth0.js';
export { entra, entraRoles } from './entra.js';
export { firebase } from './firebase.js';
export { google } from './google.js';
export { okta } from './okta.js';

export type { Auth0Claims, Auth0Options } from './auth0.js';
export type { EntraClaims, EntraOptions } from './entra.js';
export type { FirebaseClaims, FirebaseOptions } from './firebase.js';
export type { GoogleClaims, GoogleOptions } from './google.js';
export type { OktaClaims, OktaOptions } from './okta.js';
