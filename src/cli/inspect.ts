// `tokenwarden inspect <token|->`: what a token says, decoded without verifying anything, and
// what about it is unusual. For a person looking at a token from a log or a client; never a
// substitute for verification, and labelled so.
import { parseArgs } from 'node:util';
import { SUPPORTED_ALGORITHMS } from '../token/algorithms.js';
import { decodeJsonObject } from '../token/decode.js';
import { fields, isoDate, relativeTime, shown } from './format.js';
import { EXIT, UsageError, type CliIo, type ExitCode } from './io.js';
import { readToken } from './token-input.js';

export const INSPECT_USAGE = `Usage: tokenwarden inspect <token|-> [--json]

Decodes a JWT's header and claims WITHOUT verifying it, shows its times as dates and
relative to now, and flags what is unusual. Pass - to read the token from standard input.

Exit codes: 0 decoded, 1 not a decodable JWT, 2 usage error.`;

/** Something about a token worth a second look. */
export interface Finding {
  readonly code: string;
  readonly message: string;
}

/** What `inspect` found, as `--json` prints it. */
export interface Inspection {
  readonly verified: false;
  /** 3 for a signed token (JWS), 5 for an encrypted one (JWE). */
  readonly segments: number;
  readonly header: Record<string, unknown> | undefined;
  readonly claims: Record<string, unknown> | undefined;
  /** `exp`, `nbf`, `iat` and `auth_time` as dates and relative to now. */
  readonly times: Record<string, { readonly date: string; readonly relative: string }>;
  readonly findings: readonly Finding[];
}

const TIME_CLAIMS = ['exp', 'nbf', 'iat', 'auth_time'] as const;
const KEY_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const;
const ONE_DAY = 86_400;

/** Decodes one segment as JSON: strictly as tokenwarden does, else leniently, saying so. */
function decodeSegment(segment: string, part: string, findings: Finding[]): Record<string, unknown> | undefined {
  const strict = decodeJsonObject(segment);
  if (strict !== undefined) return strict;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      findings.push({
        code: 'not_canonical',
        message: `the ${part} is not canonical base64url JSON (padding, stray characters, duplicate members): tokenwarden refuses it as token_malformed`,
      });
      return value as Record<string, unknown>;
    }
  } catch {
    // Not JSON at all: reported below.
  }
  findings.push({ code: 'undecodable', message: `the ${part} is not base64url-encoded JSON` });
  return undefined;
}

function headerFindings(header: Record<string, unknown>, segments: number, findings: Finding[]): void {
  const { alg, typ, cty, crit } = header;
  if (segments === 5) {
    findings.push({ code: 'encrypted', message: 'an encrypted token (JWE): only its header can be read without the decryption key' });
    return;
  }
  if (typeof alg !== 'string') findings.push({ code: 'no_alg', message: 'no "alg" in the header' });
  else if (alg.toLowerCase() === 'none') findings.push({ code: 'unsigned', message: 'alg "none": an unsigned token, never accepted' });
  else if (/^HS/i.test(alg)) {
    findings.push({ code: 'symmetric', message: `alg ${alg} (HMAC): never accepted with keys from a JWKS (the key-confusion attack)` });
  } else if (!(SUPPORTED_ALGORITHMS as readonly string[]).includes(alg)) {
    findings.push({ code: 'unsupported_alg', message: `alg ${alg} is not one tokenwarden verifies` });
  }
  for (const name of KEY_HEADERS) {
    if (Object.hasOwn(header, name)) {
      findings.push({
        code: 'key_in_header',
        message: `header "${name}" names a key: tokenwarden ignores it (keys come only from the issuer's key set); a verifier that trusts it can be fooled`,
      });
    }
  }
  if (typ === undefined) {
    findings.push({ code: 'no_typ', message: 'no "typ" header: it cannot be told from an ID token by its header (RFC 9068 access tokens say at+jwt)' });
  }
  if (typeof cty === 'string' && /^(application\/)?jwt$/i.test(cty)) {
    findings.push({ code: 'nested', message: 'cty "JWT": a nested token, which tokenwarden refuses' });
  }
  if (crit !== undefined) findings.push({ code: 'crit', message: `critical header parameters: ${shown(crit)}` });
}

function claimFindings(claims: Record<string, unknown>, now: number, findings: Finding[]): void {
  const { exp, iat, nbf, iss, aud } = claims;
  if (exp === undefined) findings.push({ code: 'no_exp', message: 'no "exp": the token never expires, and tokenwarden refuses it' });
  else if (typeof exp !== 'number') findings.push({ code: 'bad_exp', message: '"exp" is not a number' });
  else if (exp <= now) findings.push({ code: 'expired', message: `expired ${relativeTime(exp, now)}` });
  if (typeof exp === 'number' && typeof iat === 'number' && exp - iat > ONE_DAY) {
    findings.push({ code: 'long_lifetime', message: `a lifetime of ${relativeTime(exp, iat).replace(/^in /, '')}, over a day` });
  }
  if (typeof nbf === 'number' && nbf > now) findings.push({ code: 'not_yet_valid', message: `not valid until ${relativeTime(nbf, now)}` });
  if (typeof iat === 'number' && iat > now + 60) findings.push({ code: 'issued_in_future', message: `issued ${relativeTime(iat, now)}` });
  if (iss === undefined) findings.push({ code: 'no_iss', message: 'no "iss": no verifier can tell who issued it' });
  if (aud === undefined) findings.push({ code: 'no_aud', message: 'no "aud": it does not say which API it is for' });
}

/** Decodes `token` without verifying it. Never throws on any input. */
export function inspectToken(token: string, now = Date.now() / 1000): Inspection {
  const findings: Finding[] = [];
  const parts = token.split('.');
  const times: Record<string, { date: string; relative: string }> = {};
  if (parts.length !== 3 && parts.length !== 5) {
    findings.push({ code: 'undecodable', message: `a JWT has 3 (signed) or 5 (encrypted) dot-separated parts; this has ${parts.length}` });
    return { verified: false, segments: parts.length, header: undefined, claims: undefined, times, findings };
  }
  const header = decodeSegment(parts[0] as string, 'header', findings);
  if (header !== undefined) headerFindings(header, parts.length, findings);
  let claims: Record<string, unknown> | undefined;
  if (parts.length === 3) {
    claims = decodeSegment(parts[1] as string, 'payload', findings);
    if (claims !== undefined) {
      claimFindings(claims, now, findings);
      for (const name of TIME_CLAIMS) {
        const date = isoDate(claims[name]);
        if (date !== undefined) times[name] = { date, relative: relativeTime(claims[name] as number, now) };
      }
    }
  }
  return { verified: false, segments: parts.length, header, claims, times, findings };
}

/** The inspection as lines for people. The signature is never shown. */
export function describeInspection(inspection: Inspection): string[] {
  const lines = ['UNVERIFIED: decoded without checking the signature, the issuer or the audience', ''];
  if (inspection.header !== undefined) {
    lines.push(inspection.segments === 5 ? 'header (encrypted token)' : 'header');
    lines.push(...fields(Object.entries(inspection.header).map(([name, value]) => [name, shown(value)])));
  }
  if (inspection.claims !== undefined) {
    lines.push('', 'claims');
    lines.push(
      ...fields(
        Object.entries(inspection.claims).map(([name, value]) => {
          const time = inspection.times[name];
          return [name, time === undefined ? shown(value) : `${time.date} (${time.relative})`];
        }),
      ),
    );
  }
  if (inspection.findings.length > 0) {
    lines.push('', 'worth a look');
    for (const finding of inspection.findings) lines.push(`  ! ${finding.message}`);
  }
  return lines;
}

export async function inspectCommand(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(INSPECT_USAGE);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError('inspect takes one token');
  const inspection = inspectToken(await readToken(positionals[0], io));
  if (values.json) io.out(JSON.stringify(inspection, null, 2));
  else io.out(describeInspection(inspection).join('\n'));
  return inspection.header === undefined ? EXIT.refused : EXIT.ok;
}
