// The key sources of a verifier, one per key set rather than per issuer: issuers whose keys
// live at the same configured URL (Google's `https://accounts.google.com` and
// `accounts.google.com`), or are the same static set, share one source, so the set is fetched
// and imported once. Every issuer template has one source for all its tenants.
import type { IssuerHealth } from '../events/health.js';
import type { Algorithm } from '../token/algorithms.js';
import type { SignatureRuntime } from '../token/signature.js';
import { unusable } from '../lib/options.js';
import type { HttpGet } from './http.js';
import { discoveryLocation, resolveGivenKeySets, resolveJwksOptions, resolveJwksUris } from './options.js';
import { createRemoteKeySource, type KeySource, type KeySourceEvents } from './remote-key-source.js';
import { createStaticKeySource } from './static-key-source.js';

export interface KeySourceOptions {
  /** Every configured issuer entry, templates included. */
  readonly issuers: readonly string[];
  /** The `jwksUri` option. */
  readonly jwksUri: unknown;
  /** The `jwks` option. */
  readonly jwks: unknown;
  readonly algorithms: ReadonlySet<Algorithm>;
  /** The runtime's HTTP client, used unless `jwks.fetch` is set. */
  readonly defaultGet: HttpGet;
  readonly signatures: SignatureRuntime;
  readonly events: KeySourceEvents;
}

/** The key sources of the configured issuers. */
export interface KeySources {
  /** Issuer entry → its key source (shared sources appear under each of their issuers). */
  readonly byIssuer: ReadonlyMap<string, KeySource>;
  /** Each key source once. */
  readonly distinct: readonly KeySource[];
  /** The health of each configured issuer, in the configured order, under its own name. */
  health(): IssuerHealth[];
}

/**
 * Checks the `jwks` and `jwksUri` options and creates the key sources. A shared source is
 * named, in its events, after the first configured issuer that uses it.
 */
export function createKeySources(options: KeySourceOptions): KeySources {
  const { issuers, algorithms, signatures, events } = options;
  const settings = resolveJwksOptions(options.jwks, options.defaultGet);
  const given = resolveGivenKeySets(options.jwks, issuers);
  const uris = resolveJwksUris(options.jwksUri, issuers, given.fixed);

  // Issuers by what their key set is: a configured URL, the content of a static set, or (for
  // discovery) the issuer alone, since its metadata must name it.
  const groups = new Map<string, string[]>();
  for (const issuer of issuers) {
    const fixed = given.fixed.get(issuer);
    const jwksUri = uris.get(issuer);
    const key = fixed !== undefined ? `keys ${JSON.stringify(fixed)}` : jwksUri !== undefined ? `url ${jwksUri.href}` : `issuer ${issuer}`;
    const members = groups.get(key);
    if (members === undefined) groups.set(key, [issuer]);
    else members.push(issuer);
  }

  const byIssuer = new Map<string, KeySource>();
  for (const members of groups.values()) {
    const issuer = members[0] as string;
    const source = createSource(issuer, members);
    for (const member of members) byIssuer.set(member, source);
  }

  function createSource(issuer: string, members: readonly string[]): KeySource {
    const fixed = given.fixed.get(issuer);
    if (fixed !== undefined) return createStaticKeySource({ issuer, document: fixed, algorithms, signatures });
    const preloads = new Set(members.filter((member) => given.initial.has(member)).map((member) => JSON.stringify(given.initial.get(member))));
    if (preloads.size > 1) {
      unusable('jwks.initial', `gives different key sets for issuers sharing the jwksUri ${uris.get(issuer)?.href}`);
    }
    const initial = members.map((member) => given.initial.get(member)).find((set) => set !== undefined);
    const discoverAt = discoveryLocation(issuer);
    return createRemoteKeySource({
      issuer,
      jwksUri: uris.get(issuer),
      discoverAt: discoverAt === issuer ? undefined : discoverAt,
      initial,
      algorithms,
      ...settings,
      signatures,
      events,
    });
  }

  return {
    byIssuer,
    distinct: [...new Set(byIssuer.values())],
    health: () => issuers.map((issuer) => ({ ...(byIssuer.get(issuer) as KeySource).health(), issuer })),
  };
}
