// `tokenwarden verify <token|-> --issuer … --audience …`: runs the real verifier on a token and
// explains the outcome: which check failed, and the values involved, read from the token
// (unverified, and labelled so) and from the issuer's key set.
import { parseArgs } from 'node:util';
import type { AccessTokenClaims } from '../claims/types.js';
import { ERROR_DESCRIPTION, isAccessTokenError, type AccessTokenError, type ErrorCode } from '../errors.js';
import { createVerifier, type Verifier, type VerifierOptions } from '../verifier.js';
import { fields, isoDate, relativeTime, shown } from './format.js';
import { inspectToken, type Inspection } from './inspect.js';
import { EXIT, UsageError, type CliIo, type ExitCode } from './io.js';
import { parseSeconds } from './jwks.js';
import { readToken } from './token-input.js';

export const VERIFY_USAGE = `Usage: tokenwarden verify <token|-> --issuer <url> --audience <id> [options]

Verifies a JWT access token with tokenwarden's own verifier and explains the outcome.
Pass - to read the token from standard input.

Options:
  --issuer <url>            a trusted issuer (repeat for several)
  --audience <id>           an accepted audience (repeat for several)
  --jwks-uri <url>          the key set, when not found through the issuer's metadata
  --algorithms <list>       accepted algorithms, comma-separated (default: all asymmetric)
  --typ <type>              the expected typ header, e.g. at+jwt
  --required-claims <list>  claims that must be present, comma-separated
  --clock-tolerance <s>     seconds of clock skew tolerated (default 5)
  --max-token-age <s>       refuse tokens issued longer ago than this
  --timeout <s>             longest wait for the key set (default 5)
  --json                    the outcome as JSON

Exit codes: 0 accepted, 1 refused, 2 usage error, 3 unavailable (the issuer could not be reached).`;

/** The outcome of `verify`, as `--json` prints it. */
export interface VerifyReport {
  readonly outcome: 'accepted' | 'refused' | 'unavailable';
  readonly code?: ErrorCode;
  readonly status?: number;
  /** The client-safe meaning of the code. */
  readonly description?: string;
  /** What the verifier said (never the token). */
  readonly message?: string;
  /** The values behind the outcome. Values read from the token are unverified. */
  readonly details: Readonly<Record<string, unknown>>;
  /** The verified claims, on success. */
  readonly claims?: AccessTokenClaims;
}

const list = (value: string | undefined): string[] | undefined =>
  value === undefined ? undefined : value.split(',').map((item) => item.trim()).filter((item) => item !== '');

function verifierOptions(values: Record<string, string | string[] | boolean | undefined>): VerifierOptions {
  const issuers = values.issuer as string[] | undefined;
  const audiences = values.audience as string[] | undefined;
  if (issuers === undefined || issuers.length === 0) throw new UsageError('--issuer is required');
  if (audiences === undefined || audiences.length === 0) throw new UsageError('--audience is required');
  const options: VerifierOptions = { issuer: issuers, audience: audiences, cache: false };
  const jwksUri = values['jwks-uri'] as string | undefined;
  if (jwksUri !== undefined) {
    if (issuers.length !== 1) throw new UsageError('--jwks-uri goes with a single --issuer');
    options.jwksUri = jwksUri;
  }
  const algorithms = list(values.algorithms as string | undefined);
  if (algorithms !== undefined) options.algorithms = algorithms as NonNullable<VerifierOptions['algorithms']>;
  if (values.typ !== undefined) options.typ = values.typ as string;
  const required = list(values['required-claims'] as string | undefined);
  if (required !== undefined) options.requiredClaims = required;
  if (values['clock-tolerance'] !== undefined) options.clockTolerance = Number(values['clock-tolerance']);
  if (values['max-token-age'] !== undefined) options.maxTokenAge = Number(values['max-token-age']);
  options.jwks = { timeout: parseSeconds('--timeout', values.timeout as string | undefined, 5) };
  return options;
}

const when = (seconds: unknown, now: number): string | undefined => {
  const date = isoDate(seconds);
  return date === undefined ? undefined : `${date} (${relativeTime(seconds as number, now)})`;
};

/** The values that explain a refusal, by code. Token values are unverified. */
function explain(error: AccessTokenError, token: Inspection, options: VerifierOptions, verifier: Verifier): Record<string, unknown> {
  const claims = token.claims ?? {};
  const header = token.header ?? {};
  const now = Date.now() / 1000;
  switch (error.code) {
    case 'token_expired':
      return /maxTokenAge/.test(error.message)
        ? { issued: when(claims.iat, now), maxTokenAge: options.maxTokenAge }
        : { expired: when(claims.exp, now), clockTolerance: options.clockTolerance ?? 5 };
    case 'token_not_yet_valid':
      return { notBefore: when(claims.nbf, now), issued: when(claims.iat, now), clockTolerance: options.clockTolerance ?? 5 };
    case 'audience_invalid':
      return { expected: verifier.audiences, found: claims.aud };
    case 'issuer_invalid':
      return { expected: verifier.issuers, found: claims.iss };
    case 'algorithm_not_allowed':
      return { found: header.alg, allowed: options.algorithms ?? 'every asymmetric algorithm' };
    case 'type_invalid':
      return { expected: options.typ, found: header.typ };
    case 'key_not_found':
    case 'signature_invalid':
    case 'jwks_unavailable': {
      const source = verifier.health().issuers.find((entry) => entry.issuer === claims.iss);
      return {
        kid: header.kid,
        alg: header.alg,
        keySet: source?.jwksUri,
        kidsInKeySet: source?.kids,
        ...(error.code === 'jwks_unavailable' ? { cause: error.cause instanceof Error ? error.cause.message : undefined } : {}),
      };
    }
    default:
      return {};
  }
}

function describeReport(report: VerifyReport): string[] {
  const shownDetails = Object.entries(report.details)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => [name, shown(value)] as const);
  if (report.outcome === 'accepted') {
    const claims = report.claims as AccessTokenClaims;
    const now = Date.now() / 1000;
    return [
      'ACCEPTED: signature, issuer, audience, expiry and type hold',
      ...fields([
        ['issuer', claims.iss],
        ['subject', shown(claims.sub ?? '(none)')],
        ['client', shown(claims.client_id ?? '(none)')],
        ['scope', shown(claims.scope ?? '(none)')],
        ['expires', when(claims.exp, now) ?? shown(claims.exp)],
        ...shownDetails,
      ]),
    ];
  }
  const head = `${report.outcome === 'unavailable' ? 'UNAVAILABLE' : 'REFUSED'}: ${report.code} (${report.status}): ${report.description}`;
  const lines = [head, `  ${report.message}`];
  if (shownDetails.length > 0) lines.push('', 'values (read from the token: unverified)', ...fields(shownDetails));
  return lines;
}

export async function verifyCommand(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      issuer: { type: 'string', multiple: true },
      audience: { type: 'string', multiple: true },
      'jwks-uri': { type: 'string' },
      algorithms: { type: 'string' },
      typ: { type: 'string' },
      'required-claims': { type: 'string' },
      'clock-tolerance': { type: 'string' },
      'max-token-age': { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(VERIFY_USAGE);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError('verify takes one token');
  const token = await readToken(positionals[0], io);
  const options = verifierOptions(values);
  let verifier: Verifier;
  try {
    verifier = createVerifier(options);
  } catch (error) {
    // The verifier's own option checks, worded for its options: passed on as a usage error.
    throw new UsageError((error as Error).message.replace(/^tokenwarden: /, ''));
  }

  let report: VerifyReport;
  try {
    const claims = await verifier.verifyAccessToken(token);
    const inspection = inspectToken(token);
    report = { outcome: 'accepted', claims, details: { kid: inspection.header?.kid, alg: inspection.header?.alg } };
  } catch (error) {
    if (!isAccessTokenError(error)) throw error;
    report = {
      outcome: error.status === 503 ? 'unavailable' : 'refused',
      code: error.code,
      status: error.status,
      description: ERROR_DESCRIPTION[error.code],
      message: error.message,
      details: explain(error, inspectToken(token), options, verifier),
    };
  }
  io.out(values.json ? JSON.stringify(report, null, 2) : describeReport(report).join('\n'));
  return report.outcome === 'accepted' ? EXIT.ok : report.outcome === 'unavailable' ? EXIT.unavailable : EXIT.refused;
}
