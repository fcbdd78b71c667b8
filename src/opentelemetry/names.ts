// The names tokenwarden records under, following OpenTelemetry's semantic-convention rules:
// lowercase, dot-separated, namespaced `tokenwarden.`, units in UCUM. General attributes the
// conventions already define (`error.type`, `url.full`, `http.response.status_code`) keep
// their standard names, so backends that know them show them as they would for any library.

/** The instrumentation scope metrics and spans are recorded under. */
export const SCOPE = 'tokenwarden';

/** Metric names. */
export const METRIC = Object.freeze({
  verifications: 'tokenwarden.verifications',
  verificationDuration: 'tokenwarden.verification.duration',
  jwksFetches: 'tokenwarden.jwks.fetches',
  jwksFetchDuration: 'tokenwarden.jwks.fetch.duration',
  jwksAge: 'tokenwarden.jwks.age',
} as const);

/** Span names. */
export const SPAN = Object.freeze({
  verify: 'tokenwarden.verify',
  jwksFetch: 'tokenwarden.jwks.fetch',
} as const);

/** Attribute keys. */
export const ATTRIBUTE = Object.freeze({
  outcome: 'tokenwarden.outcome',
  code: 'tokenwarden.code',
  issuer: 'tokenwarden.issuer',
  cached: 'tokenwarden.cached',
  kid: 'tokenwarden.kid',
  alg: 'tokenwarden.alg',
  reason: 'tokenwarden.jwks.reason',
  keys: 'tokenwarden.jwks.keys',
  added: 'tokenwarden.jwks.added',
  removed: 'tokenwarden.jwks.removed',
  skipped: 'tokenwarden.jwks.skipped',
  metadata: 'tokenwarden.jwks.metadata',
  errorType: 'error.type',
  url: 'url.full',
  status: 'http.response.status_code',
} as const);

/** What became of a verification: the token was accepted, refused (401/403), or could not be decided (503). */
export type VerificationOutcome = 'accepted' | 'refused' | 'unavailable';

/** What became of a key-set fetch. */
export type FetchOutcome = 'success' | 'failure';

// Verifications take tens of microseconds (a cached token) to milliseconds (a signature), and
// up to seconds when a key-set fetch is awaited: the SDK's default buckets (0 to 10 000, made
// for milliseconds) would put every verification in the first one.
export const DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

// A key-set fetch is a round trip to the issuer, bounded by the fetch timeout (5 s by default).
export const FETCH_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);
