// The on-curve check that guards ECDH-ES against invalid-curve points, against points
// node:crypto generates (on the curve) and the same points nudged off it.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { coordinateBytes, isOnCurve } from '../../src/jwe/ec-point.js';

const CURVES = [
  ['P-256', 'prime256v1'],
  ['P-384', 'secp384r1'],
  ['P-521', 'secp521r1'],
] as const;

function point(namedCurve: string): { x: Uint8Array; y: Uint8Array } {
  const jwk = generateKeyPairSync('ec', { namedCurve }).publicKey.export({ format: 'jwk' });
  return { x: Buffer.from(jwk.x as string, 'base64url'), y: Buffer.from(jwk.y as string, 'base64url') };
}

describe('isOnCurve', () => {
  it.each(CURVES)('accepts points of %s and refuses them with one bit of y flipped', (crv, namedCurve) => {
    for (let i = 0; i < 8; i++) {
      const { x, y } = point(namedCurve);
      expect(isOnCurve(crv, x, y)).toBe(true);
      const off = Uint8Array.from(y);
      off[off.length - 1] = (off[off.length - 1] as number) ^ 0x01;
      expect(isOnCurve(crv, x, off)).toBe(false);
    }
  });

  it('refuses coordinates of the wrong length, at or past p, and unknown curves', () => {
    const { x, y } = point('prime256v1');
    expect(isOnCurve('P-256', x.subarray(1), y)).toBe(false);
    expect(isOnCurve('P-384', x, y)).toBe(false);
    expect(isOnCurve('secp256k1', x, y)).toBe(false);
    expect(isOnCurve('P-256', new Uint8Array(32).fill(0xff), y)).toBe(false);
    expect(isOnCurve('P-256', new Uint8Array(32), new Uint8Array(32))).toBe(false);
    expect(coordinateBytes('P-521')).toBe(66);
    expect(coordinateBytes('__proto__')).toBeUndefined();
  });
});
