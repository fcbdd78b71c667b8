// The JWE algorithms (RFC 7518 §4, §5) tokenwarden decrypts access tokens with, what each asks
// of a key and of the token's segments, and the ones it refuses whatever the options say.

/** Key management algorithms (`alg`) that can be configured. */
export const KEY_MANAGEMENT_ALGORITHMS = [
  'RSA-OAEP',
  'RSA-OAEP-256',
  'RSA-OAEP-384',
  'RSA-OAEP-512',
  'ECDH-ES',
  'ECDH-ES+A128KW',
  'ECDH-ES+A256KW',
  'A128KW',
  'A256KW',
  'A128GCMKW',
  'A256GCMKW',
  'dir',
] as const;

/** A JWE `alg` tokenwarden can decrypt with. */
export type KeyManagementAlgorithm = (typeof KEY_MANAGEMENT_ALGORITHMS)[number];

/** Content encryption algorithms (`enc`) that can be configured. */
export const CONTENT_ENCRYPTION_ALGORITHMS = ['A128GCM', 'A256GCM', 'A128CBC-HS256', 'A256CBC-HS512'] as const;

/** A JWE `enc` tokenwarden can decrypt. */
export type ContentEncryptionAlgorithm = (typeof CONTENT_ENCRYPTION_ALGORITHMS)[number];

const AES192 = 'uses 192-bit AES, which WebCrypto lacks in Chromium-based runtimes: the Node and web builds would disagree';

/** Algorithms refused even when listed, and why: the reason goes into the option error. */
export const REFUSED_ALGORITHMS: Readonly<Record<string, string>> = Object.freeze({
  RSA1_5: 'is RSAES-PKCS1-v1_5, open to padding-oracle attacks (Bleichenbacher); use RSA-OAEP-256',
  'PBES2-HS256+A128KW': 'derives the key from a password, and its iteration count (p2c) lets a token cost seconds of CPU',
  'PBES2-HS384+A192KW': 'derives the key from a password, and its iteration count (p2c) lets a token cost seconds of CPU',
  'PBES2-HS512+A256KW': 'derives the key from a password, and its iteration count (p2c) lets a token cost seconds of CPU',
  A192KW: AES192,
  'ECDH-ES+A192KW': AES192,
  A192GCMKW: AES192,
  A192GCM: AES192,
  'A192CBC-HS384': AES192,
});

/** How an `alg` gets the content encryption key, and so what key it needs. */
export type KeyKind = 'rsa' | 'ecdh' | 'symmetric';

export interface KeyManagementSpec {
  readonly kind: KeyKind;
  /** The content key is the agreed or given key itself: the encrypted key segment is empty. */
  readonly direct: boolean;
  /** Length in bytes of the symmetric key (`A*KW`, `A*GCMKW`); unset where it depends on `enc` (`dir`). */
  readonly keyBytes: number | undefined;
}

const rsa: KeyManagementSpec = { kind: 'rsa', direct: false, keyBytes: undefined };
const wrap = (keyBytes: number): KeyManagementSpec => ({ kind: 'symmetric', direct: false, keyBytes });

export const KEY_MANAGEMENT_SPECS: Readonly<Record<KeyManagementAlgorithm, KeyManagementSpec>> = Object.freeze({
  'RSA-OAEP': rsa,
  'RSA-OAEP-256': rsa,
  'RSA-OAEP-384': rsa,
  'RSA-OAEP-512': rsa,
  'ECDH-ES': { kind: 'ecdh', direct: true, keyBytes: undefined },
  'ECDH-ES+A128KW': { kind: 'ecdh', direct: false, keyBytes: undefined },
  'ECDH-ES+A256KW': { kind: 'ecdh', direct: false, keyBytes: undefined },
  A128KW: wrap(16),
  A256KW: wrap(32),
  A128GCMKW: wrap(16),
  A256GCMKW: wrap(32),
  dir: { kind: 'symmetric', direct: true, keyBytes: undefined },
});

export interface ContentEncryptionSpec {
  /** Length of the content encryption key in bytes (a `dir` key must be exactly this long). */
  readonly keyBytes: number;
  readonly ivBytes: number;
  /** The one tag length accepted: a shorter (truncated) tag is refused before any decryption. */
  readonly tagBytes: number;
  /** AES-CBC: the ciphertext is a whole number of 16-byte blocks. */
  readonly blocks: boolean;
}

export const CONTENT_ENCRYPTION_SPECS: Readonly<Record<ContentEncryptionAlgorithm, ContentEncryptionSpec>> = Object.freeze({
  A128GCM: { keyBytes: 16, ivBytes: 12, tagBytes: 16, blocks: false },
  A256GCM: { keyBytes: 32, ivBytes: 12, tagBytes: 16, blocks: false },
  'A128CBC-HS256': { keyBytes: 32, ivBytes: 16, tagBytes: 16, blocks: true },
  'A256CBC-HS512': { keyBytes: 64, ivBytes: 16, tagBytes: 32, blocks: true },
});

export function isKeyManagementAlgorithm(value: unknown): value is KeyManagementAlgorithm {
  return typeof value === 'string' && Object.hasOwn(KEY_MANAGEMENT_SPECS, value);
}

export function isContentEncryptionAlgorithm(value: unknown): value is ContentEncryptionAlgorithm {
  return typeof value === 'string' && Object.hasOwn(CONTENT_ENCRYPTION_SPECS, value);
}
