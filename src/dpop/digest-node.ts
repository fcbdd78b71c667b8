// Node's digests: node:crypto, synchronous (a hash of a token costs less than a microtask).
import { createHash, createHmac } from 'node:crypto';
import type { Digests } from './digest.js';

export const nodeDigests: Digests = {
  sha256: (input) => createHash('sha256').update(input).digest('base64url'),
  hmacSha256: (key, input) => createHmac('sha256', key).update(input).digest('base64url'),
};
