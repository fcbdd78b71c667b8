// Web-standard runtimes (edge functions, workers, Deno, Bun without node:crypto): global
// fetch, jose over WebCrypto, and no diagnostics channels (nothing is published). Selected by
// the package's export conditions.
import { fetchGet } from '../jwks/http.js';

export { joseSignatures as signatures } from '../token/signature-jose.js';
export { SILENT_CHANNELS as channels } from '../events/channels.js';
export const defaultHttpGet = fetchGet((input, init) => fetch(input, init));
export { webDigests as digests } from '../dpop/digest-web.js';
