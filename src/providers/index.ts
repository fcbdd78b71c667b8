// Presets for the identity providers users have: each returns plain VerifierOptions (data, no
// code), so this subpath runs wherever the verifier does.
export { auth0, auth0Permissions } from './auth0.js';
export { cognito, cognitoGroups } from './cognito.js';
export { entra, entraRoles } from './entra.js';
export { firebase } from './firebase.js';
export { google } from './google.js';
export { keycloak, keycloakClientRoles, keycloakRealmRoles } from './keycloak.js';
export { okta } from './okta.js';

export type { Auth0Claims, Auth0Options } from './auth0.js';
export type { CognitoAccessTokenClaims, CognitoIdTokenClaims, CognitoOptions } from './cognito.js';
export type { EntraApiOptions, EntraClaims, EntraOptions, EntraTenants } from './entra.js';
export type { FirebaseClaims, FirebaseOptions } from './firebase.js';
export type { GoogleClaims, GoogleOptions } from './google.js';
export type { KeycloakAccess, KeycloakClaims, KeycloakOptions } from './keycloak.js';
export type { OktaClaims, OktaOptions } from './okta.js';
