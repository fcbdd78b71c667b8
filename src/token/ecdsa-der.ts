// JWS carries an ECDSA signature as R||S, two fixed-length big-endian integers (RFC 7518 §3.4);
// OpenSSL verifies the DER form, ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 3279
// §2.2.3). node:crypto converts R||S itself when told `dsaEncoding: 'ieee-p1363'`, but its
// conversion costs more than writing the DER here, by far on some Node versions (the figures
// are in bench/README.md).

const MAX_P1363_LENGTH = 2 * 66; // P-521

/** The longest encoding: P-521, two 66-byte integers each with a sign byte, long-form length. */
export const MAX_DER_SIGNATURE_LENGTH = 3 + 2 * (2 + 1 + 66);

/**
 * Writes the canonical DER of the R||S signature `p1363` into `out` (at least
 * MAX_DER_SIGNATURE_LENGTH bytes) and returns its length, or 0 for anything but an even length
 * of 2 to 132 bytes, which no curve has. Each integer loses its leading zero bytes (keeping one
 * for zero) and gains a zero byte when its top bit is set, so that it stays positive: the one
 * encoding OpenSSL's strict parser accepts.
 */
export function writeDerSignature(p1363: Uint8Array, out: Uint8Array): number {
  if (p1363.length === 0 || p1363.length % 2 !== 0 || p1363.length > MAX_P1363_LENGTH) return 0;
  const half = p1363.length >>> 1;
  const firstR = firstSignificant(p1363, 0, half);
  const firstS = firstSignificant(p1363, half, p1363.length);
  const lengthR = half - firstR + ((p1363[firstR] as number) >>> 7);
  const lengthS = p1363.length - firstS + ((p1363[firstS] as number) >>> 7);
  const content = 4 + lengthR + lengthS;
  let at = 0;
  out[at++] = 0x30;
  if (content > 0x7f) out[at++] = 0x81; // long form: one length byte follows (content < 256)
  out[at++] = content;
  at = writeInteger(p1363, firstR, half, lengthR, out, at);
  return writeInteger(p1363, firstS, p1363.length, lengthS, out, at);
}

/** Index of the first non-zero byte in [start, end), or end - 1 when all are zero. */
function firstSignificant(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end - 1 && bytes[i] === 0) i++;
  return i;
}

function writeInteger(bytes: Uint8Array, first: number, end: number, length: number, out: Uint8Array, at: number): number {
  out[at++] = 0x02;
  out[at++] = length;
  if (length > end - first) out[at++] = 0; // the sign byte
  for (let i = first; i < end; i++) out[at++] = bytes[i] as number;
  return at;
}
