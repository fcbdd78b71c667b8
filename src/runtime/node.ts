// The one place that picks node-only modules. The web build (tsup.config.ts) swaps this file
// for ./web.ts, so nothing it loads imports undici or node:crypto.
export { undiciGet as defaultHttpGet } from '../jwks/http-undici.js';
export { nodeSignatures as signatures } from '../token/signature-node.js';
