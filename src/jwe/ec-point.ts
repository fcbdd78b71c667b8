// Whether an ephemeral public key (`epk`) of ECDH-ES is a point of its curve. A point off the
// curve lies on another curve, possibly one with a small subgroup, and agreeing a secret with it
// leaks bits of the private key (the invalid-curve attack, CVE-2017-16007 in node-jose). WebCrypto
// implementations are meant to refuse such points; checking here first makes both builds refuse
// them the same way, whatever the runtime, before the private key is used.

interface Curve {
  /** Coordinate length in bytes. */
  readonly bytes: number;
  readonly p: bigint;
  readonly b: bigint;
}

// The NIST curves y² = x³ − 3x + b over GF(p) (FIPS 186-4 §D.1.2; SEC 2). Their cofactor is 1,
// so every point of the curve other than infinity (which a JWK cannot express) is safe to use.
const CURVES: Readonly<Record<string, Curve>> = Object.freeze({
  'P-256': {
    bytes: 32,
    p: 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  },
  'P-384': {
    bytes: 48,
    p: 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  },
  'P-521': {
    bytes: 66,
    p: 2n ** 521n - 1n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
  },
});

/** The curves ECDH-ES keys may be on. */
export const ECDH_CURVES = Object.keys(CURVES);

/** Coordinate length in bytes of `crv`, or `undefined` for a curve that is not supported. */
export function coordinateBytes(crv: unknown): number | undefined {
  return typeof crv === 'string' && Object.hasOwn(CURVES, crv) ? (CURVES[crv] as Curve).bytes : undefined;
}

function toBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** True when (x, y), big-endian coordinates of the curve's exact length, is a point of `crv`. */
export function isOnCurve(crv: string, x: Uint8Array, y: Uint8Array): boolean {
  const curve = Object.hasOwn(CURVES, crv) ? CURVES[crv] : undefined;
  if (curve === undefined || x.length !== curve.bytes || y.length !== curve.bytes) return false;
  const { p, b } = curve;
  const X = toBigInt(x);
  const Y = toBigInt(y);
  if (X >= p || Y >= p) return false;
  return (Y * Y - (X * X * X - 3n * X + b)) % p === 0n;
}
