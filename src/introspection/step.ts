// The introspection step as the verifier builds it: the `introspection` option resolved, and,
// for RFC 9701 answers, the issuer's key source and the signature step that check them.
import type { Digests } from '../dpop/digest.js';
import type { Channels } from '../events/channels.js';
import type { HttpGet } from '../jwks/http.js';
import type { KeySource } from '../jwks/remote-key-source.js';
import type { ParseOptions } from '../token/parse.js';
import type { SignatureStep } from '../token/verify-signature.js';
import { createIntrospector, type Introspector } from './introspector.js';
import { resolveIntrospectionOptions } from './options.js';

export interface IntrospectionParts {
  readonly issuers: readonly string[];
  readonly audiences: readonly string[] | undefined;
  readonly parse: ParseOptions;
  readonly keySources: ReadonlyMap<string, KeySource>;
  readonly verifySignature: SignatureStep;
  readonly digests: Digests;
  readonly defaultGet: HttpGet;
  readonly channels: Channels;
}

/** Checks the `introspection` option and builds its step; `undefined` when it is not set. */
export function createIntrospectionStep(value: unknown, parts: IntrospectionParts): Introspector | undefined {
  const settings = resolveIntrospectionOptions(value, parts.issuers, parts.defaultGet);
  if (settings === undefined) return undefined;
  const { issuer } = settings;
  const jwt = settings.jwtResponse
    ? {
        issuer,
        recipients: [settings.auth.clientId, ...(parts.audiences ?? [])],
        // An answer is bounded by maxBytes already; its header is its own, not a token's.
        parse: { maxTokenLength: settings.maxBytes, algorithms: parts.parse.algorithms },
        source: () => parts.keySources.get(issuer) as KeySource,
        verifySignature: parts.verifySignature,
      }
    : undefined;
  return createIntrospector(settings, {
    maxTokenLength: parts.parse.maxTokenLength,
    digests: parts.digests,
    jwt,
    events: { request: parts.channels.introspectionRequest, limited: parts.channels.introspectionLimited },
  });
}
