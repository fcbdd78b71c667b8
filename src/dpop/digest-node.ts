// Node's digests: node:crypto, synchronous (a hash of a token costs less than a microtask).
// The one-shot crypto.hash (Node 20.12+, within our engines) builds no Hash object: half the
// cost of createHash on the introspection cache's hot path, which hashes every token.
import { createHmac, hash } from 'node:crypto';
import type { Digests } from './digest.js';

export const nodeDigests: Digests = {
  sha256: (input) => hash('sha256', input, 'base64url'),
  hmacSha256: (key, input) => createHmac('sha256', key).update(input).digest('base64url'),
};
