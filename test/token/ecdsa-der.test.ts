// The DER that the node:crypto path writes for an R||S signature must be exactly OpenSSL's own:
// OpenSSL signs in DER here, the test takes R and S out of it, and the writer must give back the
// very same bytes, for every curve JWS uses.
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_DER_SIGNATURE_LENGTH, writeDerSignature } from '../../src/token/ecdsa-der.js';

/** R||S from a DER ECDSA-Sig-Value, each integer left-padded to `size` bytes. */
function p1363From(der: Uint8Array, size: number): Uint8Array {
  let at = der[1] === 0x81 ? 3 : 2;
  const out = new Uint8Array(2 * size);
  for (const offset of [0, size]) {
    expect(der[at]).toBe(0x02);
    const length = der[at + 1] as number;
    const value = der.subarray(at + 2, at + 2 + length);
    const trimmed = value[0] === 0 && value.length > 1 ? value.subarray(1) : value;
    out.set(trimmed, offset + size - trimmed.length);
    at += 2 + length;
  }
  return out;
}

const written = (p1363: Uint8Array): Buffer => {
  const out = Buffer.alloc(MAX_DER_SIGNATURE_LENGTH);
  return out.subarray(0, writeDerSignature(p1363, out));
};

describe('writeDerSignature', () => {
  it.each([
    ['P-256', 32],
    ['P-384', 48],
    ['P-521', 66],
  ])("gives back OpenSSL's own DER for 300 %s signatures", (curve, size) => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
    let signByte = 0;
    let longForm = 0;
    for (let i = 0; i < 300; i++) {
      const der = sign('sha256', Buffer.from(`message ${i}`), privateKey); // DER is node's default
      if (der[1] === 0x81) longForm++;
      if ((der[der[1] === 0x81 ? 4 : 3] as number) > size) signByte++;
      expect(written(p1363From(der, size)).equals(der)).toBe(true);
    }
    // The cases that need care did occur: a sign byte (half the R values of P-256 and P-384 have
    // their top bit set) or, for P-521, whose top byte holds a single bit, the long-form length.
    expect(signByte + longForm).toBeGreaterThan(50);
  });

  it('encodes a zero integer as one zero byte, and strips leading zeros', () => {
    const p1363 = new Uint8Array(64);
    p1363[63] = 0x05;
    expect([...written(p1363)]).toEqual([0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x05]);
  });

  it('adds the sign byte to an integer whose top bit is set', () => {
    const p1363 = new Uint8Array(64).fill(0xff);
    const der = written(p1363);
    expect([...der.subarray(0, 5)]).toEqual([0x30, 0x46, 0x02, 0x21, 0x00]);
    expect(der.length).toBe(72);
  });

  it('uses the long form of the length past 127 bytes (P-521)', () => {
    const der = written(new Uint8Array(132).fill(0x80));
    expect([...der.subarray(0, 3)]).toEqual([0x30, 0x81, 2 * (3 + 66)]);
    expect(der.length).toBe(MAX_DER_SIGNATURE_LENGTH);
  });

  it('writes nothing for a length no curve has', () => {
    for (const length of [0, 1, 63, 133, 200]) expect(written(new Uint8Array(length)).length).toBe(0);
  });
});
