/** `tokenwarden:introspection:request`: one request to the introspection endpoint, published when it ends. */
export interface IntrospectionRequestEvent {
  /** The configured issuer the endpoint belongs to. */
  readonly issuer: string;
  /** The endpoint's URL (href), when known: unset when discovering it failed. */
  readonly endpoint: string | undefined;
  /** HTTP status of the answer, when one arrived (a failed answer's too). */
  readonly status: number | undefined;
  /** Milliseconds the request took (discovery included, the first time). */
  readonly durationMs: number;
  /** On success: whether the issuer said the token is active. */
  readonly active: boolean | undefined;
  /**
   * On failure: why (the answer is then `introspection_unavailable`). Its message names the
   * endpoint or the HTTP status, never a token or the client secret; a 401 or 403 says the
   * issuer refused our client credentials, a configuration error.
   */
  readonly error: Error | undefined;
}

/** `tokenwarden:introspection:limited`: a token the cache could not answer, refused because `maxRequestsPerSecond` was spent. */
export interface IntrospectionLimitedEvent {
  readonly issuer: string;
  /** Seconds until a request may be made again (the refusal's `retryAfter`). */
  readonly retryAfter: number;
}
