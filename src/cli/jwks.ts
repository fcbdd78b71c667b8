// `tokenwarden jwks <issuer-or-url>`: the keys an issuer publishes, and for each whether
// tokenwarden would verify with it and why not. Discovery first, as the verifier does; a URL
// that is not an issuer with metadata is read as the key set itself.
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { discoverJwksUri } from '../jwks/discovery.js';
import { parseJsonObject, type HttpGet } from '../jwks/http.js';
import { assessKey, modulusBits } from '../jwks/key-set.js';
import { thumbprintInput } from '../jwks/thumbprint.js';
import { parseFetchableUrl } from '../lib/url.js';
import { defaultHttpGet, signatures } from '../runtime/node.js';
import { SUPPORTED_ALGORITHMS, isSupportedAlgorithm, type Algorithm } from '../token/algorithms.js';
import { decodeBase64url } from '../token/decode.js';
import { shown, table } from './format.js';
import { EXIT, UsageError, type CliIo, type ExitCode } from './io.js';

export const JWKS_USAGE = `Usage: tokenwarden jwks <issuer-or-url> [--algorithms RS256,ES256] [--timeout 5] [--json]

Finds an issuer's key set through its metadata (or reads the URL as a key set), then lists
every key: kid, type, curve or size, alg, use, RFC 7638 thumbprint, and whether tokenwarden
would verify with it under the given algorithms (default: all it supports), and why not.

Exit codes: 0 at least one usable key, 1 no usable key, 2 usage error, 3 unreachable.`;

/** One published key as `jwks` reports it. */
export interface KeyReport {
  readonly kid: string | undefined;
  readonly kty: string | undefined;
  /** The curve, or the RSA modulus size in bits. */
  readonly size: string | undefined;
  readonly alg: string | undefined;
  readonly use: string | undefined;
  /** RFC 7638 SHA-256 thumbprint, base64url. */
  readonly thumbprint: string | undefined;
  /** The algorithms tokenwarden would verify with it; empty when unusable. */
  readonly algorithms: readonly Algorithm[];
  /** Why it is not used, when it is not. */
  readonly unusable: string | undefined;
}

export interface KeySetReport {
  /** Where the key set was read. */
  readonly jwksUri: string;
  /** `discovery` when found through the issuer's metadata, `direct` when the URL was the key set. */
  readonly source: 'discovery' | 'direct';
  readonly keys: readonly KeyReport[];
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function sizeOf(jwk: Record<string, unknown>): string | undefined {
  if (typeof jwk.crv === 'string') return jwk.crv;
  const modulus = typeof jwk.n === 'string' ? decodeBase64url(jwk.n) : undefined;
  return modulus === undefined ? undefined : `${modulusBits(modulus)} bits`;
}

/** What tokenwarden makes of one JWK, importing it as the verifier would. */
export async function reportKey(jwk: unknown, allowed: ReadonlySet<Algorithm>): Promise<KeyReport> {
  const members = typeof jwk === 'object' && jwk !== null && !Array.isArray(jwk) ? (jwk as Record<string, unknown>) : {};
  const input = thumbprintInput(members);
  const base = {
    kid: text(members.kid),
    kty: text(members.kty),
    size: sizeOf(members),
    alg: text(members.alg),
    use: text(members.use),
    thumbprint: input === undefined ? undefined : createHash('sha256').update(input).digest('base64url'),
  };
  const assessed = assessKey(jwk, allowed);
  if (!assessed.usable) return { ...base, algorithms: [], unusable: assessed.reason };
  try {
    await signatures.importKey(assessed.publicJwk, assessed.algorithms);
  } catch {
    return { ...base, algorithms: [], unusable: 'node:crypto cannot import its key material (a point off the curve, say)' };
  }
  return { ...base, algorithms: [...assessed.algorithms], unusable: undefined };
}

/** Reads the key set of `target` (an issuer with metadata, or a key-set URL) and reports every key. */
export async function readKeySet(
  target: string,
  options: { allowed: ReadonlySet<Algorithm>; timeout: number; get?: HttpGet },
): Promise<KeySetReport> {
  const get = options.get ?? defaultHttpGet;
  const request = { signal: AbortSignal.timeout(options.timeout * 1000), maxBytes: 1 << 20 };
  let jwksUri: URL;
  let source: KeySetReport['source'] = 'discovery';
  let discoveryProblem: string | undefined;
  try {
    jwksUri = (await discoverJwksUri(target, get, request)).jwksUri;
  } catch (error) {
    if (request.signal.aborted) throw new Error(`no answer within ${options.timeout} s`);
    discoveryProblem = (error as Error).message;
    jwksUri = new URL(target);
    source = 'direct';
  }
  let document: Record<string, unknown>;
  try {
    document = parseJsonObject(await get(jwksUri, request));
    if (!Array.isArray(document.keys)) throw new Error('it is not a JWK Set (no "keys" array)');
  } catch (error) {
    const reason = request.signal.aborted ? `no answer within ${options.timeout} s` : (error as Error).message;
    throw new Error(discoveryProblem === undefined ? `${jwksUri.href}: ${reason}` : `${discoveryProblem}; read as a key set: ${reason}`);
  }
  const keys = await Promise.all((document.keys as unknown[]).map((jwk) => reportKey(jwk, options.allowed)));
  return { jwksUri: jwksUri.href, source, keys };
}

function parseAlgorithms(value: string | undefined): ReadonlySet<Algorithm> {
  if (value === undefined) return new Set(SUPPORTED_ALGORITHMS);
  const names = value.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!isSupportedAlgorithm(name)) throw new UsageError(`--algorithms: ${name} is not one of ${SUPPORTED_ALGORITHMS.join(', ')}`);
  }
  return new Set(names as Algorithm[]);
}

export function parseSeconds(option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 300) throw new UsageError(`${option} must be a number of seconds from 0 to 300`);
  return seconds;
}

export async function jwksCommand(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      algorithms: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(JWKS_USAGE);
    return EXIT.ok;
  }
  const [target, ...extra] = positionals;
  if (target === undefined || extra.length > 0) throw new UsageError('jwks takes one issuer or key-set URL');
  const url = parseFetchableUrl(target);
  if (typeof url === 'string') throw new UsageError(`${target} ${url}`);
  const allowed = parseAlgorithms(values.algorithms);
  const timeout = parseSeconds('--timeout', values.timeout, 5);

  let report: KeySetReport;
  try {
    report = await readKeySet(target, { allowed, timeout });
  } catch (error) {
    io.err(`tokenwarden: the key set could not be read: ${(error as Error).message}`);
    return EXIT.unavailable;
  }
  const usable = report.keys.filter((key) => key.unusable === undefined).length;
  if (values.json) {
    io.out(JSON.stringify(report, null, 2));
  } else {
    const how = report.source === 'discovery' ? 'found through the issuer metadata' : 'read directly';
    io.out(`key set ${report.jwksUri} (${how}): ${report.keys.length} keys, ${usable} usable\n`);
    const rows = report.keys.map((key) => [
      key.kid ?? '(none)',
      key.kty ?? '?',
      key.size ?? '',
      key.alg ?? '',
      key.use ?? '',
      key.thumbprint ?? '',
      key.unusable === undefined ? `yes: ${key.algorithms.join(' ')}` : `no: ${shown(key.unusable)}`,
    ]);
    io.out(table(['kid', 'kty', 'crv/size', 'alg', 'use', 'thumbprint (RFC 7638)', 'usable'], rows).join('\n'));
  }
  return usable > 0 ? EXIT.ok : EXIT.refused;
}
