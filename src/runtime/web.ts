// Web-standard runtimes (edge functions, workers, Deno, Bun without node:crypto): global
// fetch and jose over WebCrypto. Selected by the package's export conditions.
import { fetchGet } from '../jwks/http.js';

export { joseSignatures as signatures } from '../token/signature-jose.js';
export const defaultHttpGet = fetchGet((input, init) => fetch(input, init));
