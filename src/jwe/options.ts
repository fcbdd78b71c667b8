// The `decryption` option of the verifier: its meaning (the TSDoc users read) and its checks,
// run once at construction.
import { fail, isPlainObject, knownKeys, unusable } from '../lib/options.js';
import {
  CONTENT_ENCRYPTION_ALGORITHMS,
  REFUSED_ALGORITHMS,
  isContentEncryptionAlgorithm,
  type ContentEncryptionAlgorithm,
  type KeyManagementAlgorithm,
} from './algorithms.js';
import { keyManagementAlgorithm, resolveDecryptionKey, type DecryptionKey, type DecryptionKeyInput } from './keys.js';

/**
 * Encrypted access tokens (compact JWE, RFC 7516): how to decrypt them. The content must be a
 * signed JWT (`cty` `JWT` or a JWT media type such as `at+jwt`), which is then verified exactly
 * like any other token. See docs/jwe.md.
 */
export interface DecryptionOptions {
  /**
   * The private keys tokens are encrypted to: private JWKs, each with its `alg`, or
   * `{ key, alg, kid? }` for a `KeyObject` (or a JWK without `alg`). RSA keys (2048 bits or
   * more) for `RSA-OAEP*`, EC keys (P-256, P-384, P-521) for `ECDH-ES*`, `oct` keys for
   * `A*KW`, `A*GCMKW` and `dir`. A token naming a `kid` is tried with the keys of that kid
   * only; one without, with every key of its `alg`. Several keys of one `alg` serve a rotation.
   */
  keys: readonly DecryptionKeyInput[];
  /**
   * Accepted key management algorithms (`alg`), each needing a key in `keys`. `RSA1_5`,
   * `PBES2-*` and the 192-bit AES ones are never accepted.
   * @default the algorithms of `keys`
   */
  algorithms?: readonly KeyManagementAlgorithm[];
  /**
   * Accepted content encryption algorithms (`enc`).
   * @default ['A128GCM','A256GCM','A128CBC-HS256','A256CBC-HS512']
   */
  encryptions?: readonly ContentEncryptionAlgorithm[];
}

/** The decryption settings, checked. */
export interface ResolvedDecryption {
  readonly keys: readonly DecryptionKey[];
  readonly algorithms: ReadonlySet<KeyManagementAlgorithm>;
  readonly encryptions: ReadonlySet<ContentEncryptionAlgorithm>;
  /** Some key has a kid: a token's kid then selects among them. */
  readonly kids: boolean;
}

export function resolveDecryptionOptions(value: unknown): ResolvedDecryption | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) fail('decryption', 'an object with the private keys tokens are encrypted to ({ keys })');
  knownKeys('decryption', value, ['keys', 'algorithms', 'encryptions']);
  const { keys: list } = value;
  if (!Array.isArray(list) || list.length === 0) fail('decryption.keys', 'a non-empty array of private JWKs or { key, alg, kid? }');
  const keys = list.map((input, index) => resolveDecryptionKey(index, input));

  let algorithms = new Set(keys.map((key) => key.alg));
  if (value.algorithms !== undefined) {
    if (!Array.isArray(value.algorithms) || value.algorithms.length === 0) fail('decryption.algorithms', 'a non-empty array of algorithm names');
    algorithms = new Set(value.algorithms.map((alg: unknown) => keyManagementAlgorithm('decryption.algorithms', alg)));
    for (const alg of algorithms) {
      // `dir` and key wrapping with a shared secret in particular: an algorithm is only ever
      // used with a key given for it, never with one meant for another.
      if (!keys.some((key) => key.alg === alg)) unusable('decryption.algorithms', `lists ${JSON.stringify(alg)}, but no key in decryption.keys is for it`);
    }
  }

  let encryptions = new Set<ContentEncryptionAlgorithm>(CONTENT_ENCRYPTION_ALGORITHMS);
  if (value.encryptions !== undefined) {
    if (!Array.isArray(value.encryptions) || value.encryptions.length === 0) fail('decryption.encryptions', 'a non-empty array of algorithm names');
    for (const enc of value.encryptions as unknown[]) {
      if (typeof enc === 'string' && Object.hasOwn(REFUSED_ALGORITHMS, enc)) unusable('decryption.encryptions', `contains ${JSON.stringify(enc)}, which is never accepted: it ${REFUSED_ALGORITHMS[enc]}`);
      if (!isContentEncryptionAlgorithm(enc)) fail('decryption.encryptions', `an array of ${CONTENT_ENCRYPTION_ALGORITHMS.join(', ')}`);
    }
    encryptions = new Set(value.encryptions as ContentEncryptionAlgorithm[]);
  }
  return { keys, algorithms, encryptions, kids: keys.some((key) => key.kid !== undefined) };
}
