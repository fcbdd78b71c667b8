// The one place that picks node-only modules. The web build (tsup.config.ts) swaps this file
// for ./web.ts, so nothing it loads imports undici, node:crypto or node:diagnostics_channel.
export { undiciGet as defaultHttpGet } from '../jwks/http-undici.js';
export { nodeSignatures as signatures } from '../token/signature-node.js';
export { nodeChannels as channels } from '../events/node.js';
export { nodeDigests as digests } from '../dpop/digest-node.js';
