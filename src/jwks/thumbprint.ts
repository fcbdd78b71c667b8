// RFC 7638 JWK thumbprints: a hash over the key's required public members only, written in
// lexicographic order with no whitespace, so that every party computes the same one for a key
// whatever else its JWK carries. The input is built here; callers hash it (SHA-256) with what
// their runtime has.

const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
};

/**
 * The JSON text a thumbprint hashes (RFC 7638 §3.2), or `undefined` for a key whose type has
 * no thumbprint rule here or whose required members are not all strings.
 */
export function thumbprintInput(jwk: Readonly<Record<string, unknown>>): string | undefined {
  const members = typeof jwk.kty === 'string' ? REQUIRED_MEMBERS[jwk.kty] : undefined;
  if (members === undefined) return undefined;
  const parts: string[] = [];
  for (const name of members) {
    const value = jwk[name];
    if (typeof value !== 'string') return undefined;
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
  }
  return `{${parts.join(',')}}`;
}
