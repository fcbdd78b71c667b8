// Encrypting test tokens as an issuer does for a resource server (compact JWE, RFC 7516), with
// node:crypto alone, like the rest of the testing helpers (jose cannot be required from a
// CommonJS test runner): RSA-OAEP-256 or RSA-OAEP key transport, AES-GCM content encryption.
import { KeyObject, constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes, type JsonWebKey } from 'node:crypto';

/** How {@link TestIssuer.sign} encrypts a token: to whose key, and with what. */
export interface TestEncryption {
  /** The resource server's public RSA key (KeyObject or JWK); its private half goes in `decryption.keys`. */
  key: KeyObject | JsonWebKey;
  /** Key management algorithm. @default 'RSA-OAEP-256' */
  alg?: 'RSA-OAEP-256' | 'RSA-OAEP';
  /** Content encryption algorithm. @default 'A256GCM' */
  enc?: 'A256GCM' | 'A128GCM';
  /** `kid` of the JWE header. @default unset */
  kid?: string;
}

const base64url = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64url');

/** `jws` encrypted as a compact JWE with `cty: 'at+jwt'`, as oidc-provider sends them. */
export function encryptToken(jws: string, encryption: TestEncryption): string {
  const alg = encryption.alg ?? 'RSA-OAEP-256';
  const enc = encryption.enc ?? 'A256GCM';
  const key = encryption.key instanceof KeyObject ? encryption.key : createPublicKey({ key: encryption.key, format: 'jwk' });
  const header = { alg, enc, cty: 'at+jwt', ...(encryption.kid === undefined ? {} : { kid: encryption.kid }) };
  const cek = randomBytes(enc === 'A256GCM' ? 32 : 16);
  const encryptedKey = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: alg === 'RSA-OAEP' ? 'sha1' : 'sha256' }, cek);
  const iv = randomBytes(12);
  const protectedHeader = base64url(JSON.stringify(header));
  const cipher = createCipheriv(enc === 'A256GCM' ? 'aes-256-gcm' : 'aes-128-gcm', cek, iv);
  // RFC 7516 §5.1 (14): the additional authenticated data is the ASCII of the encoded header.
  cipher.setAAD(Buffer.from(protectedHeader, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(jws, 'utf8'), cipher.final()]);
  return [protectedHeader, base64url(encryptedKey), base64url(iv), base64url(ciphertext), base64url(cipher.getAuthTag())].join('.');
}
