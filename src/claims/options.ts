// The verifier's claim options, checked once when it is created: who the token must be meant for
// (`audience`, `clientId`), when it is valid (`clockTolerance`, `maxTokenAge`), what it must say
// (`typ`, `requiredClaims`, `expectClaims`) and the user's own check (`validate`).
import { fail, isPlainObject, seconds, stringArray, stringList } from '../lib/options.js';
import type { CustomCheck } from './custom.js';
import { normalizeTyp, type ClaimExpectation, type ClaimRules } from './validate.js';

/** A value `expectClaims` can require of a claim. */
export type ExpectedClaimValue = string | number | boolean;

/** The claim options of `createVerifier`, as `VerifierOptions` declares them. */
export interface ClaimOptionValues {
  readonly audience?: unknown;
  readonly clientId?: unknown;
  readonly clockTolerance?: unknown;
  readonly maxTokenAge?: unknown;
  readonly typ?: unknown;
  readonly requiredClaims?: unknown;
  readonly expectClaims?: unknown;
  readonly validate?: unknown;
}

/** The resolved claim options: the synchronous rules and the user's check. */
export interface ResolvedClaimOptions {
  readonly rules: ClaimRules;
  readonly validate: CustomCheck | undefined;
}

export function resolveClaimOptions(options: ClaimOptionValues): ResolvedClaimOptions {
  const audiences = options.audience === undefined ? undefined : stringList('audience', options.audience);
  const clientIds = options.clientId === undefined ? undefined : stringList('clientId', options.clientId);
  if (audiences === undefined && clientIds === undefined) {
    // Without either, any token of a trusted issuer would do, whoever it was meant for.
    fail('audience', 'a non-empty string or a non-empty array of strings (or set clientId for tokens without "aud")');
  }
  const clockTolerance = seconds('clockTolerance', options.clockTolerance, 5, 0, 3600);
  const maxTokenAge = options.maxTokenAge === undefined ? undefined : seconds('maxTokenAge', options.maxTokenAge, 0, 1);
  if (options.typ !== undefined && (typeof options.typ !== 'string' || options.typ.trim() === '')) {
    fail('typ', 'a non-empty string');
  }
  const requiredClaims = options.requiredClaims === undefined ? [] : stringArray('requiredClaims', options.requiredClaims);
  if (options.validate !== undefined && typeof options.validate !== 'function') fail('validate', 'a function (claims, header) => void | Promise<void>');
  const rules: ClaimRules = {
    audiences,
    clientIds,
    clockTolerance,
    maxTokenAge,
    typ: options.typ === undefined ? undefined : normalizeTyp(options.typ as string),
    requiredClaims,
    expectations: resolveExpectations(options.expectClaims),
  };
  return { rules, validate: options.validate as CustomCheck | undefined };
}

function isExpectedValue(value: unknown): value is ExpectedClaimValue {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function resolveExpectations(value: unknown): readonly ClaimExpectation[] | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) fail('expectClaims', 'an object mapping claim names to expected values');
  const expectations: ClaimExpectation[] = [];
  for (const [name, expected] of Object.entries(value)) {
    const values = Array.isArray(expected) ? expected : [expected];
    if (name === '' || values.length === 0 || !values.every(isExpectedValue)) {
      fail(`expectClaims.${name}`, 'a string, a finite number, a boolean, or a non-empty array of them');
    }
    expectations.push({ name, values: Object.freeze([...values]) });
  }
  return expectations.length === 0 ? undefined : expectations;
}
