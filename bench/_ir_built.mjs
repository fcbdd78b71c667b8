// bench/_ir.ts
import { randomBytes, createPrivateKey, createPublicKey as createPublicKey2 } from "node:crypto";
import { readFileSync } from "node:fs";

// src/token/signature-node.ts
import { constants, createPublicKey, verify } from "node:crypto";

// src/token/algorithms.ts
var SUPPORTED_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA"
];
var rsa = (family, hash) => ({
  family,
  kty: "RSA",
  hash,
  curves: [],
  signatureLength: void 0
});
var ec = (hash, curve, signatureLength) => ({
  family: "EC",
  kty: "EC",
  hash,
  curves: [curve],
  signatureLength
});
var ALGORITHM_SPECS = Object.freeze({
  RS256: rsa("RSA", "sha256"),
  RS384: rsa("RSA", "sha384"),
  RS512: rsa("RSA", "sha512"),
  PS256: rsa("RSA-PSS", "sha256"),
  PS384: rsa("RSA-PSS", "sha384"),
  PS512: rsa("RSA-PSS", "sha512"),
  ES256: ec("sha256", "P-256", 64),
  ES384: ec("sha384", "P-384", 96),
  ES512: ec("sha512", "P-521", 132),
  // Ed25519 only: the jose/WebCrypto path cannot verify Ed448, and both runtimes must decide alike.
  EdDSA: { family: "OKP", kty: "OKP", hash: void 0, curves: ["Ed25519"], signatureLength: void 0 }
});
function isSupportedAlgorithm(value) {
  return typeof value === "string" && Object.hasOwn(ALGORITHM_SPECS, value);
}
var MIN_RSA_MODULUS_BITS = 2048;

// src/token/signature-node.ts
function verifyArguments(alg, keyObject) {
  const spec = ALGORITHM_SPECS[alg];
  switch (spec.family) {
    case "RSA":
      return [spec.hash, keyObject];
    case "RSA-PSS":
      return [
        spec.hash,
        { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
      ];
    case "EC":
      return [spec.hash, { key: keyObject, dsaEncoding: "ieee-p1363" }];
    case "OKP":
      return [null, keyObject];
  }
}
function callFor(key, alg) {
  return key.handle.calls.get(alg);
}
var nodeSignatures = {
  importKey(jwk, algorithms) {
    const keyObject = createPublicKey({ key: jwk, format: "jwk" });
    return { calls: new Map([...algorithms].map((alg) => [alg, verifyArguments(alg, keyObject)])) };
  },
  verify(alg, key, signingInput, signature) {
    const call = callFor(key, alg);
    if (call === void 0) return false;
    try {
      return verify(call[0], Buffer.from(signingInput, "latin1"), call[1], signature);
    } catch {
      return false;
    }
  },
  verifyInBackground(alg, key, signingInput, signature) {
    const call = callFor(key, alg);
    if (call === void 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      try {
        verify(call[0], Buffer.from(signingInput, "latin1"), call[1], signature, (error, valid) => resolve(!error && valid));
      } catch {
        resolve(false);
      }
    });
  }
};

// bench/fixtures.ts
import { createServer } from "node:http";
var ISSUER = "https://issuer.bench.test";
var AUDIENCE = "bench-api";
async function serveJwks(keys2) {
  const body = JSON.stringify({ keys: keys2.map((key) => key.jwk) });
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    uri: `${origin}/jwks.json`,
    origin,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    }
  };
}

// bench/contenders.ts
import { JwtVerifier } from "aws-jwt-verify";
import { createVerifier as createFastJwtVerifier } from "fast-jwt";
import { createLocalJWKSet, jwtVerify } from "jose";

// src/errors.ts
var ERROR_STATUS = Object.freeze({
  token_malformed: 401,
  algorithm_not_allowed: 401,
  key_not_found: 401,
  signature_invalid: 401,
  token_expired: 401,
  token_not_yet_valid: 401,
  issuer_invalid: 401,
  audience_invalid: 401,
  type_invalid: 401,
  claim_invalid: 401,
  token_revoked: 401,
  insufficient_scope: 403,
  jwks_unavailable: 503,
  revocation_unavailable: 503
});
var ERROR_DESCRIPTION = Object.freeze({
  token_malformed: "The access token is malformed",
  algorithm_not_allowed: "The access token is signed with an algorithm that is not allowed",
  key_not_found: "The access token is signed with an unknown key",
  signature_invalid: "The access token signature is invalid",
  token_expired: "The access token has expired",
  token_not_yet_valid: "The access token is not valid yet",
  issuer_invalid: "The access token was issued by an untrusted issuer",
  audience_invalid: "The access token is not intended for this resource",
  type_invalid: "The access token has the wrong type",
  claim_invalid: "The access token has an invalid claim",
  token_revoked: "The access token has been revoked",
  insufficient_scope: "The access token does not grant the required permissions",
  jwks_unavailable: "The signing keys are temporarily unavailable",
  revocation_unavailable: "The revocation status is temporarily unavailable"
});
var AccessTokenError = class extends Error {
  name = "AccessTokenError";
  code;
  status;
  constructor(code, message, options) {
    super(message, options?.cause === void 0 ? void 0 : { cause: options.cause });
    this.code = code;
    this.status = ERROR_STATUS[code];
  }
};

// src/claims/validate.ts
var claimInvalid = (message) => new AccessTokenError("claim_invalid", message);
function normalizeTyp(typ) {
  const lower = typ.trim().toLowerCase();
  return lower.startsWith("application/") && !lower.includes("/", 12) ? lower.slice(12) : lower;
}
function selectIssuer(payload, byIssuer) {
  const { iss } = payload;
  if (iss === void 0) throw new AccessTokenError("issuer_invalid", 'token has no "iss" claim');
  if (typeof iss !== "string") throw claimInvalid('"iss" claim must be a string');
  const entry = byIssuer.get(iss);
  if (entry === void 0) {
    throw new AccessTokenError("issuer_invalid", "token was issued by an issuer this verifier does not trust");
  }
  return entry;
}
function isNumericDate(value) {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}
function validateClaims(header2, payload, rules, now2) {
  if (rules.typ !== void 0) {
    if (typeof header2.typ !== "string" || normalizeTyp(header2.typ) !== rules.typ) {
      throw new AccessTokenError("type_invalid", 'token "typ" header is not the expected type');
    }
  }
  const { exp, nbf, iat } = payload;
  if (exp === void 0) throw claimInvalid('token has no "exp" claim; access tokens must expire');
  if (!isNumericDate(exp)) throw claimInvalid('"exp" claim must be a non-negative finite number');
  if (nbf !== void 0 && !isNumericDate(nbf)) throw claimInvalid('"nbf" claim must be a non-negative finite number');
  if (iat !== void 0 && !isNumericDate(iat)) throw claimInvalid('"iat" claim must be a non-negative finite number');
  const tolerance = rules.clockTolerance;
  if (exp <= now2 - tolerance) throw new AccessTokenError("token_expired", "token has expired");
  if (nbf !== void 0 && nbf > now2 + tolerance) {
    throw new AccessTokenError("token_not_yet_valid", 'token is not valid yet ("nbf" is in the future)');
  }
  if (iat !== void 0 && iat > now2 + tolerance) {
    throw new AccessTokenError("token_not_yet_valid", 'token was issued in the future ("iat")');
  }
  if (rules.maxTokenAge !== void 0) {
    if (iat === void 0) throw claimInvalid('token has no "iat" claim, which maxTokenAge requires');
    if (now2 - iat > rules.maxTokenAge + tolerance) {
      throw new AccessTokenError("token_expired", "token is older than maxTokenAge");
    }
  }
  checkAudience(payload.aud, rules.audiences);
  if (payload.sub !== void 0 && typeof payload.sub !== "string") throw claimInvalid('"sub" claim must be a string');
  if (payload.jti !== void 0 && typeof payload.jti !== "string") throw claimInvalid('"jti" claim must be a string');
  for (const name of rules.requiredClaims) {
    if (!Object.hasOwn(payload, name) || payload[name] === null || payload[name] === void 0) {
      throw claimInvalid(`token has no "${name}" claim, which is required`);
    }
  }
}
function checkAudience(aud, audiences) {
  if (aud === void 0) throw new AccessTokenError("audience_invalid", 'token has no "aud" claim');
  if (typeof aud === "string") {
    if (audiences.includes(aud)) return;
  } else if (Array.isArray(aud) && aud.length > 0 && aud.every((item) => typeof item === "string")) {
    if (aud.some((item) => audiences.includes(item))) return;
  } else {
    throw claimInvalid('"aud" claim must be a string or a non-empty array of strings');
  }
  throw new AccessTokenError("audience_invalid", "token is not intended for this audience");
}

// src/jwks/http.ts
function statusError(status, header2) {
  const error = new Error(
    status >= 300 && status < 400 ? `answered ${status} (redirects are not followed)` : `answered HTTP ${status}`
  );
  const retryAfter = parseRetryAfter(header2("retry-after"));
  if (retryAfter !== void 0) error.retryAfter = retryAfter;
  return error;
}
function tooLarge(maxBytes) {
  return new Error(`response is larger than ${maxBytes} bytes`);
}
function parseRetryAfter(value) {
  if (value === void 0) return void 0;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (!/^[A-Za-z]{3,9},? .*\bGMT$/.test(trimmed)) return void 0;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? void 0 : Math.max(0, (at - Date.now()) / 1e3);
}
function declaredLength(value) {
  return value !== void 0 && /^\d+$/.test(value.trim()) ? Number(value) : void 0;
}
function fetchGet(fetchImpl) {
  return async (url, { signal, maxBytes }) => {
    const response = await fetchImpl(url.href, {
      method: "GET",
      redirect: "manual",
      signal,
      headers: { accept: "application/json" }
    });
    const header2 = (name) => response.headers.get(name) ?? void 0;
    const refusal = refusalOf(response.status, header2, maxBytes);
    if (refusal !== void 0) {
      discard(response.body);
      throw refusal;
    }
    const chunks = [];
    let total = 0;
    const reader = response.body?.getReader();
    if (reader) {
      for (; ; ) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > maxBytes) {
          discard(reader);
          throw tooLarge(maxBytes);
        }
        chunks.push(value);
      }
    }
    const body = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return { status: response.status, header: header2, body };
  };
}
function discard(body) {
  void body?.cancel().catch(() => void 0);
}
function refusalOf(status, header2, maxBytes) {
  if (status < 200 || status >= 300) return statusError(status, header2);
  const length = declaredLength(header2("content-length"));
  return length !== void 0 && length > maxBytes ? tooLarge(maxBytes) : void 0;
}
var utf8 = new TextDecoder("utf-8", { fatal: true });
function parseJsonObject(response) {
  let value;
  try {
    value = JSON.parse(utf8.decode(response.body));
  } catch {
    throw new Error("response is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error("response is not a JSON object");
  }
  return value;
}

// src/jwks/cache-control.ts
function freshnessFromHeaders(response, now2) {
  const age = Number(response.header("age") ?? 0);
  const ageSeconds = Number.isFinite(age) && age > 0 ? age : 0;
  const cacheControl = response.header("cache-control");
  if (cacheControl !== void 0) {
    let maxAge;
    for (const part of cacheControl.split(",")) {
      const [rawName = "", rawValue] = part.split("=", 2);
      const name = rawName.trim().toLowerCase();
      if (name === "no-store" || name === "no-cache") return 0;
      if (name === "max-age" && rawValue !== void 0) {
        const value = rawValue.trim().replace(/^"(.*)"$/, "$1");
        if (/^\d+$/.test(value)) maxAge = Number(value);
      }
    }
    if (maxAge !== void 0) return Math.max(0, maxAge - ageSeconds);
  }
  const expires = response.header("expires");
  if (expires !== void 0) {
    const expiresAt = Date.parse(expires);
    if (Number.isNaN(expiresAt)) return 0;
    const date = Date.parse(response.header("date") ?? "");
    const base = Number.isNaN(date) ? now2 : date;
    return Math.max(0, (expiresAt - base) / 1e3 - ageSeconds);
  }
  return void 0;
}

// src/lib/url.ts
var LOOPBACK_V4 = /^127(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
function isLoopbackHost(hostname) {
  const host = hostname.toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "[::1]" || host === "::1" || LOOPBACK_V4.test(host);
}
function parseFetchableUrl(value) {
  let url;
  try {
    url = new URL(value);
  } catch {
    return "is not a valid URL";
  }
  if (url.username || url.password) return "must not carry credentials";
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return url;
  return "must use https (plain http is allowed only for loopback hosts)";
}

// src/jwks/discovery.ts
function metadataUrls(issuer) {
  const path = issuer.pathname.replace(/\/+$/, "");
  return [
    new URL(`${issuer.origin}${path}/.well-known/openid-configuration`),
    new URL(`${issuer.origin}/.well-known/oauth-authorization-server${path}`)
  ];
}
async function discoverJwksUri(issuer, get, options) {
  const reasons = [];
  for (const url of metadataUrls(new URL(issuer))) {
    try {
      const metadata = parseJsonObject(await get(url, options));
      if (metadata.issuer !== issuer) throw new Error('its "issuer" does not match the configured issuer');
      if (typeof metadata.jwks_uri !== "string") throw new Error('it has no "jwks_uri"');
      const jwksUri = parseFetchableUrl(metadata.jwks_uri);
      if (typeof jwksUri === "string") throw new Error(`its "jwks_uri" ${jwksUri}`);
      return jwksUri;
    } catch (error) {
      if (options.signal.aborted) throw error;
      reasons.push(`${url.href}: ${error.message}`);
    }
  }
  throw new Error(`discovery failed (${reasons.join("; ")})`);
}

// src/token/decode.ts
var BASE64URL = /^[A-Za-z0-9_-]*$/;
var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
var decodeBase64url = typeof Buffer === "function" ? decodeWithBuffer : decodePortably;
function decodeWithBuffer(segment) {
  const remainder = segment.length % 4;
  if (remainder === 1) return void 0;
  if (Buffer.byteLength(segment, "utf8") !== segment.length) return void 0;
  const bytes = Buffer.from(segment, "base64url");
  if (bytes.length !== segment.length * 3 >>> 2) return void 0;
  if (segment.includes("+") || segment.includes("/")) return void 0;
  return remainder === 0 || hasZeroPadBits(segment, remainder) ? bytes : void 0;
}
function hasZeroPadBits(segment, remainder) {
  const last = ALPHABET.indexOf(segment.charAt(segment.length - 1));
  return (last & (remainder === 2 ? 15 : 3)) === 0;
}
function decodePortably(segment) {
  const remainder = segment.length % 4;
  if (remainder === 1 || !BASE64URL.test(segment)) return void 0;
  if (remainder !== 0 && !hasZeroPadBits(segment, remainder)) return void 0;
  const binary = atob(segment.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
var utf82 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
function decodeJsonObject(segment) {
  const bytes = decodeBase64url(segment);
  if (bytes === void 0) return void 0;
  let text;
  let value;
  try {
    text = utf82.decode(bytes);
    value = JSON.parse(text);
  } catch {
    return void 0;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return void 0;
  if (freezeCountingMembers(value) !== countMemberNames(text)) return void 0;
  return value;
}
function freezeCountingMembers(root) {
  let members = 0;
  const pending = [root];
  for (let value = pending.pop(); value !== void 0; value = pending.pop()) {
    Object.freeze(value);
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === "object" && item !== null) pending.push(item);
      continue;
    }
    const names = Object.keys(value);
    members += names.length;
    for (const name of names) {
      const member = value[name];
      if (typeof member === "object" && member !== null) pending.push(member);
    }
  }
  return members;
}
function countMemberNames(text) {
  const enclosing = [];
  let inObject = false;
  let expectName = false;
  let names = 0;
  for (let i = 0; i < text.length; i++) {
    const c2 = text.charCodeAt(i);
    if (c2 === 34) {
      let end = text.indexOf('"', i + 1);
      while (isEscaped(text, end)) end = text.indexOf('"', end + 1);
      if (expectName) {
        names++;
        expectName = false;
      }
      i = end;
    } else if (c2 === 123) {
      enclosing.push(inObject);
      inObject = true;
      expectName = true;
    } else if (c2 === 91) {
      enclosing.push(inObject);
      inObject = false;
      expectName = false;
    } else if (c2 === 125 || c2 === 93) {
      inObject = enclosing.pop() ?? false;
      expectName = false;
    } else if (c2 === 44) {
      expectName = inObject;
    }
  }
  return names;
}
function isEscaped(text, quote) {
  let backslashes = 0;
  for (let k2 = quote - 1; text.charCodeAt(k2) === 92; k2--) backslashes++;
  return backslashes % 2 === 1;
}

// src/jwks/key-set.ts
var UNKNOWN = { kind: "unknown" };
var UNUSABLE = { kind: "unusable" };
var AMBIGUOUS = { kind: "ambiguous" };
function lookupKey(set, alg, kid) {
  if (kid === void 0) return set.withoutKid.get(alg) ?? UNKNOWN;
  return set.byKid.get(kid)?.get(alg) ?? (set.kids.has(kid) ? UNUSABLE : UNKNOWN);
}
async function importKeySet(document, allowed, runtime, previous) {
  if (typeof document !== "object" || document === null || !Array.isArray(document.keys)) {
    throw new Error('response is not a JWK Set (no "keys" array)');
  }
  const kids = /* @__PURE__ */ new Set();
  const pending = [];
  for (const jwk of document.keys) {
    if (typeof jwk === "object" && jwk !== null && typeof jwk.kid === "string") {
      kids.add(jwk.kid);
    }
    pending.push(importVerificationKey(jwk, allowed, runtime, previous?.byIdentity));
  }
  const byKidAndAlg = /* @__PURE__ */ new Map();
  const byAlg = /* @__PURE__ */ new Map();
  const keys2 = /* @__PURE__ */ new Set();
  const byIdentity = /* @__PURE__ */ new Map();
  let skipped = 0;
  for (const key of await Promise.all(pending)) {
    if (key === void 0) {
      skipped++;
      continue;
    }
    if (byIdentity.has(key.identity)) continue;
    keys2.add(key);
    byIdentity.set(key.identity, key);
    for (const alg of key.algorithms) {
      push(byAlg, alg, key);
      if (key.kid === void 0) continue;
      let forKid = byKidAndAlg.get(key.kid);
      if (forKid === void 0) byKidAndAlg.set(key.kid, forKid = /* @__PURE__ */ new Map());
      push(forKid, alg, key);
    }
  }
  const found = (list) => ({ kind: "found", keys: list });
  const byKid = /* @__PURE__ */ new Map();
  for (const [kid, forKid] of byKidAndAlg) byKid.set(kid, new Map([...forKid].map(([alg, list]) => [alg, found(list)])));
  const withoutKid = new Map([...byAlg].map(([alg, list]) => [alg, list.length === 1 ? found(list) : AMBIGUOUS]));
  return { byKid, withoutKid, kids, keys: keys2, byIdentity, size: keys2.size, skipped };
}
function push(map, key, value) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
function allowsVerify(keyOps) {
  if (keyOps === void 0) return true;
  if (!Array.isArray(keyOps) || keyOps.some((op) => typeof op !== "string")) return false;
  return new Set(keyOps).size === keyOps.length && keyOps.includes("verify");
}
async function importVerificationKey(jwk, allowed, runtime, reusable) {
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) return void 0;
  const { kty, kid, use, key_ops: keyOps, alg, crv } = jwk;
  if (typeof kty !== "string") return void 0;
  if (kid !== void 0 && typeof kid !== "string") return void 0;
  if (use !== void 0 && use !== "sig") return void 0;
  if (!allowsVerify(keyOps)) return void 0;
  if (alg !== void 0 && typeof alg !== "string") return void 0;
  const candidates = alg === void 0 ? SUPPORTED_ALGORITHMS : SUPPORTED_ALGORITHMS.filter((name) => name === alg);
  const algorithms = /* @__PURE__ */ new Set();
  for (const name of candidates) {
    const spec = ALGORITHM_SPECS[name];
    if (!allowed.has(name) || spec.kty !== kty) continue;
    if (spec.curves.length > 0 && !spec.curves.includes(crv)) continue;
    algorithms.add(name);
  }
  if (algorithms.size === 0) return void 0;
  let publicJwk;
  try {
    publicJwk = publicMembers(jwk, kty);
  } catch {
    return void 0;
  }
  let modulusBytes;
  if (publicJwk.kty === "RSA") {
    const bits = modulusBits(publicJwk.n);
    if (bits < MIN_RSA_MODULUS_BITS || !isUsableExponent(publicJwk.e)) return void 0;
    modulusBytes = Math.ceil(bits / 8);
  }
  const identity = JSON.stringify([kid ?? null, [...algorithms], publicJwk]);
  const known = reusable?.get(identity);
  if (known !== void 0) return known;
  try {
    const handle = await runtime.importKey(publicJwk, algorithms);
    return { kid, algorithms, handle, modulusBytes, identity };
  } catch {
    return void 0;
  }
}
function modulusBits(n) {
  const bytes = decodeBase64url(n);
  if (bytes === void 0) return 0;
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  if (start === bytes.length) return 0;
  return (bytes.length - start - 1) * 8 + (32 - Math.clz32(bytes[start]));
}
function isUsableExponent(e) {
  const bytes = decodeBase64url(e);
  if (bytes === void 0 || bytes.length === 0) return false;
  const last = bytes[bytes.length - 1];
  if ((last & 1) === 0) return false;
  for (let i = 0; i < bytes.length - 1; i++) if (bytes[i] !== 0) return true;
  return last > 1;
}
function publicMembers(jwk, kty) {
  const member = (name) => {
    const value = jwk[name];
    if (typeof value !== "string" || value.length === 0) throw new Error(`JWK member "${name}" is missing`);
    return value;
  };
  if (kty === "RSA") return { kty, n: member("n"), e: member("e") };
  if (kty === "EC") return { kty, crv: member("crv"), x: member("x"), y: member("y") };
  if (kty === "OKP") return { kty, crv: member("crv"), x: member("x") };
  throw new Error(`unsupported kty ${kty}`);
}

// src/jwks/remote-key-source.ts
var MAX_HEADER_FRESHNESS = 86400;
var MAX_RETRY_AFTER = 300;
var KEY_NOT_FOUND = {
  unknown: `no key in the issuer's key set matches the token's "kid"`,
  unusable: `the key named by the token's "kid" cannot verify its algorithm`,
  ambiguous: 'the token has no "kid" and more than one key fits its algorithm'
};
function createRemoteKeySource(config) {
  const { issuer, algorithms, get, maxBytes } = config;
  const cooldownMs = config.cooldown * 1e3;
  let keySet;
  let staleAt = 0;
  let unusableAt = 0;
  let nextAttemptAt = 0;
  let inflight;
  let lastError;
  let jwksUri = config.jwksUri;
  async function fetchKeySet() {
    const signal = AbortSignal.timeout(config.timeout * 1e3);
    const options = { signal, maxBytes };
    try {
      const url = jwksUri ?? await untilAborted(discoverJwksUri(issuer, get, options), signal);
      const response = await untilAborted(get(url, options), signal);
      const set = await importKeySet(parseJsonObject(response), algorithms, config.signatures, keySet);
      if (set.size === 0 && set.skipped > 0) {
        throw new Error(`the key set has no usable key (${set.skipped} skipped)`);
      }
      const now2 = Date.now();
      const fromHeaders = freshnessFromHeaders(response, now2);
      const lifetime = fromHeaders === void 0 ? config.maxAge : Math.min(fromHeaders, MAX_HEADER_FRESHNESS);
      keySet = set;
      staleAt = now2 + Math.max(lifetime, config.cooldown) * 1e3;
      unusableAt = staleAt + config.maxStale * 1e3;
      lastError = void 0;
      jwksUri = url;
    } catch (error) {
      if (config.jwksUri === void 0) jwksUri = void 0;
      lastError = signal.aborted ? new Error(`no complete answer within ${config.timeout} s`) : error instanceof Error ? error : new Error(String(error));
      const retryAfter = error?.retryAfter;
      if (retryAfter !== void 0) {
        nextAttemptAt = Math.max(nextAttemptAt, Date.now() + Math.min(retryAfter, MAX_RETRY_AFTER) * 1e3);
      }
    }
  }
  function refresh() {
    if (inflight === void 0) {
      nextAttemptAt = Date.now() + cooldownMs;
      inflight = fetchKeySet().finally(() => {
        inflight = void 0;
      });
    }
    return inflight;
  }
  function usableKeySet(now2) {
    if (keySet !== void 0 && now2 >= unusableAt) keySet = void 0;
    return keySet;
  }
  function unavailable2() {
    const reason = lastError ? `: ${lastError.message}` : "";
    return new AccessTokenError("jwks_unavailable", `the key set of the token's issuer could not be fetched${reason}`, {
      cause: lastError
    });
  }
  function notFound(kind, suffix = "") {
    return new AccessTokenError("key_not_found", KEY_NOT_FOUND[kind] + suffix);
  }
  function afterRefresh(alg, kid) {
    const set = usableKeySet(Date.now());
    if (set === void 0) throw unavailable2();
    const found = lookupKey(set, alg, kid);
    if (found.kind === "found") return found.keys;
    if (found.kind === "unknown" && lastError !== void 0) throw unavailable2();
    throw notFound(found.kind);
  }
  return {
    getKeys(alg, kid) {
      const now2 = Date.now();
      const set = usableKeySet(now2);
      if (set !== void 0) {
        const found = lookupKey(set, alg, kid);
        if (found.kind === "found") {
          if (now2 >= staleAt && now2 >= nextAttemptAt && inflight === void 0) void refresh();
          return found.keys;
        }
        if (found.kind !== "unknown") throw notFound(found.kind);
      }
      if (inflight === void 0 && now2 < nextAttemptAt) {
        if (set === void 0 || lastError !== void 0) throw unavailable2();
        throw notFound("unknown", " (key set refetched recently)");
      }
      return refresh().then(() => afterRefresh(alg, kid));
    },
    holds(key) {
      const now2 = Date.now();
      const held = usableKeySet(now2)?.keys.has(key) === true;
      if (held && now2 >= staleAt && now2 >= nextAttemptAt && inflight === void 0) void refresh();
      return held;
    },
    async load() {
      const now2 = Date.now();
      if (inflight === void 0) {
        if (usableKeySet(now2) !== void 0) return;
        if (now2 < nextAttemptAt) throw unavailable2();
      }
      await refresh();
      if (usableKeySet(Date.now()) === void 0) throw unavailable2();
    }
  };
}
function untilAborted(promise, signal) {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

// src/lib/options.ts
function fail(name, expected) {
  throw new TypeError(`tokenwarden: option "${name}" must be ${expected}`);
}
function isPlainObject(value) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
function seconds(name, value, fallback, min = 0, max = 10 * 365 * 86400) {
  if (value === void 0) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value)) fail(name, "a finite number of seconds");
  if (value < min || value > max) {
    throw new RangeError(`tokenwarden: option "${name}" must be between ${min} and ${max} seconds, got ${value}`);
  }
  return value;
}
function integer(name, value, fallback, min = 1, max = Number.MAX_SAFE_INTEGER) {
  if (value === void 0) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) fail(name, "an integer");
  if (value < min || value > max) {
    throw new RangeError(`tokenwarden: option "${name}" must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}
function boolean(name, value, fallback) {
  if (value === void 0) return fallback;
  if (typeof value !== "boolean") fail(name, "a boolean");
  return value;
}
function stringList(name, value) {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) fail(name, "a non-empty string or a non-empty array of strings");
  for (const item of list) {
    if (typeof item !== "string" || item.length === 0) fail(name, "a non-empty string or a non-empty array of strings");
  }
  return [...new Set(list)];
}
function knownKeys(name, value, allowed) {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`tokenwarden: unknown option "${name ? `${name}.` : ""}${key}"`);
    }
  }
}

// src/revocation/checker.ts
var unavailable = (message, cause) => new AccessTokenError("revocation_unavailable", message, { cause });
async function checkRevocation(policy, claims, header2) {
  let revoked;
  try {
    revoked = policy.checker.isRevoked(claims, header2);
    if (revoked instanceof Promise) revoked = await withTimeout(revoked, policy.timeout);
  } catch (error) {
    if (policy.failOpen) return;
    throw error instanceof AccessTokenError ? error : unavailable("revocation check failed", error);
  }
  if (revoked === true) throw new AccessTokenError("token_revoked", "token has been revoked");
  if (revoked !== false && !policy.failOpen) {
    throw unavailable("revocation checker returned a non-boolean answer");
  }
}
function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(unavailable(`revocation check did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// src/token/parse.ts
var MAX_KNOWN_HEADERS = 16;
function createKnownHeaders() {
  const segments = [];
  const headers = [];
  let next = 0;
  return {
    find(segment) {
      for (let i = 0; i < segments.length; i++) if (segments[i] === segment) return headers[i];
      return void 0;
    },
    add(segment, header2) {
      segments[next] = segment;
      headers[next] = header2;
      next = (next + 1) % MAX_KNOWN_HEADERS;
    },
    get size() {
      return segments.length;
    }
  };
}
var UNDERSTOOD_CRITICAL = /* @__PURE__ */ new Set(["b64"]);
var malformed = (message) => new AccessTokenError("token_malformed", message);
function parseCompactJws(token, options) {
  if (typeof token !== "string") throw malformed("access token must be a string");
  if (token.length === 0) throw malformed("access token is empty");
  if (token.length > options.maxTokenLength) {
    throw malformed(`access token is longer than ${options.maxTokenLength} characters`);
  }
  if (token.charCodeAt(0) === 123) {
    throw malformed("JWS JSON serialization is not accepted; only compact tokens are");
  }
  const first = token.indexOf(".");
  const second = first === -1 ? -1 : token.indexOf(".", first + 1);
  if (second === -1 || token.indexOf(".", second + 1) !== -1) {
    const segments = token.split(".").length;
    if (segments === 5) throw malformed("encrypted tokens (JWE) are not accepted");
    throw malformed(`access token must have 3 segments, found ${segments}`);
  }
  const headerSegment = token.slice(0, first);
  const known = options.headers?.find(headerSegment);
  const header2 = known ?? decodeJsonObject(headerSegment);
  if (header2 === void 0) throw malformed("token header is not a base64url-encoded JSON object");
  const payload = decodeJsonObject(token.slice(first + 1, second));
  if (payload === void 0) {
    if (Object.hasOwn(header2, "enc")) throw malformed("encrypted tokens (JWE) are not accepted");
    throw malformed("token payload is not a base64url-encoded JSON object");
  }
  const signature = decodeBase64url(token.slice(second + 1));
  if (signature === void 0) throw malformed("token signature is not base64url-encoded");
  if (known === void 0) {
    checkHeader(header2, options);
    options.headers?.add(headerSegment, header2);
  }
  return { header: header2, payload, signingInput: token.slice(0, second), signature };
}
function checkHeader(header2, options) {
  const { alg } = header2;
  if (typeof alg !== "string") throw malformed('token header has no "alg"');
  if (alg.toLowerCase() === "none") {
    throw new AccessTokenError("algorithm_not_allowed", 'unsigned tokens (alg "none") are never accepted');
  }
  if (!options.algorithms.has(alg)) {
    throw new AccessTokenError("algorithm_not_allowed", "token is signed with an algorithm that is not allowed");
  }
  if (Object.hasOwn(header2, "enc")) throw malformed("encrypted tokens (JWE) are not accepted");
  if (header2.kid !== void 0 && typeof header2.kid !== "string") throw malformed('token header "kid" must be a string');
  if (header2.typ !== void 0 && typeof header2.typ !== "string") throw malformed('token header "typ" must be a string');
  if (typeof header2.cty === "string" && /^(application\/)?jwt$/i.test(header2.cty)) {
    throw malformed('nested tokens (cty "JWT") are not accepted');
  }
  if (header2.b64 !== void 0 && header2.b64 !== true) {
    throw malformed("unencoded payloads (b64: false) are not accepted");
  }
  if (header2.crit !== void 0) {
    const { crit } = header2;
    if (!Array.isArray(crit) || crit.length === 0) throw malformed('token header "crit" must be a non-empty array');
    const seen = /* @__PURE__ */ new Set();
    for (const name of crit) {
      if (typeof name !== "string" || seen.has(name) || !Object.hasOwn(header2, name)) {
        throw malformed('token header "crit" is invalid');
      }
      seen.add(name);
      if (!UNDERSTOOD_CRITICAL.has(name)) {
        throw malformed('token header "crit" names a parameter that is not supported');
      }
    }
  }
}

// src/token/signature.ts
function hasExpectedShape(alg, key, signature) {
  if (!key.algorithms.has(alg)) return false;
  const { signatureLength } = ALGORITHM_SPECS[alg];
  if (signatureLength !== void 0 && signature.length !== signatureLength) return false;
  return key.modulusBytes === void 0 || signature.length === key.modulusBytes;
}

// src/jwks/http-undici.ts
import { Agent, request } from "undici";
var sharedAgent;
var undiciGet = async (url, { signal, maxBytes }) => {
  sharedAgent ??= new Agent({ keepAliveTimeout: 3e4, connections: 16 });
  const response = await request(url, {
    method: "GET",
    dispatcher: sharedAgent,
    signal,
    headers: { accept: "application/json" }
  });
  const header2 = (name) => {
    const value = response.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  };
  const refusal = refusalOf(response.statusCode, header2, maxBytes);
  if (refusal !== void 0) {
    discard2(response.body);
    throw refusal;
  }
  const chunks = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  return { status: response.statusCode, header: header2, body: Buffer.concat(chunks, total) };
};
function discard2(body) {
  body.on("error", () => void 0);
  body.destroy();
}

// src/verified-token-cache.ts
import { LRUCache } from "lru-cache";
var MIN_SLOTS = 1 << 10;
var MAX_SLOTS = 1 << 20;
function createVerifiedTokenCache(maxEntries) {
  const entries = new LRUCache({ max: maxEntries });
  let slots = MIN_SLOTS;
  while (slots < 2 * maxEntries && slots < MAX_SLOTS) slots *= 2;
  const seen = new Int32Array(slots);
  const mask = slots - 1;
  return {
    get(token) {
      const entry = entries.get(fingerprint(token));
      return entry !== void 0 && entry.token === token ? entry : void 0;
    },
    admit(entry) {
      const print = fingerprint(entry.token);
      const slot = print & mask;
      if (seen[slot] === print + 1) entries.set(print, entry);
      else seen[slot] = print + 1;
    },
    delete(token) {
      const print = fingerprint(token);
      if (entries.peek(print)?.token === token) entries.delete(print);
    }
  };
}
var FINGERPRINT_CHARS = 8;
function fingerprint(token) {
  let hash = 2166136261;
  for (let i = Math.max(0, token.length - FINGERPRINT_CHARS); i < token.length; i++) {
    hash = Math.imul(hash ^ token.charCodeAt(i), 16777619);
  }
  return hash & 1073741823;
}

// src/verifier.ts
var OPTION_NAMES = [
  "issuer",
  "audience",
  "jwksUri",
  "algorithms",
  "clockTolerance",
  "maxTokenAge",
  "typ",
  "requiredClaims",
  "revocation",
  "revocationFailOpen",
  "revocationTimeout",
  "maxTokenLength",
  "jwks",
  "cache"
];
var JWKS_OPTION_NAMES = ["cooldown", "maxAge", "timeout", "maxStale", "maxBytes", "fetch"];
function createVerifier(options) {
  if (!isPlainObject(options)) throw new TypeError("tokenwarden: createVerifier needs an options object");
  knownKeys("", options, OPTION_NAMES);
  const issuers = stringList("issuer", options.issuer);
  const audiences = stringList("audience", options.audience);
  const algorithms = resolveAlgorithms(options.algorithms);
  const clockTolerance = seconds("clockTolerance", options.clockTolerance, 5, 0, 3600);
  const maxTokenAge = options.maxTokenAge === void 0 ? void 0 : seconds("maxTokenAge", options.maxTokenAge, 0, 1);
  if (options.typ !== void 0 && (typeof options.typ !== "string" || options.typ.trim() === "")) {
    fail("typ", "a non-empty string");
  }
  const requiredClaims = options.requiredClaims === void 0 ? [] : stringList("requiredClaims", options.requiredClaims);
  const maxTokenLength = integer("maxTokenLength", options.maxTokenLength, 8192, 16, 1048576);
  const rules = {
    audiences,
    clockTolerance,
    maxTokenAge,
    typ: options.typ === void 0 ? void 0 : normalizeTyp(options.typ),
    requiredClaims
  };
  const parseOptions = { maxTokenLength, algorithms, headers: createKnownHeaders() };
  const revocation = resolveRevocation(options, clockTolerance);
  const keySources = resolveKeySources(options, issuers, algorithms);
  const cache = resolveCache(options.cache);
  let active = 0;
  return {
    issuers,
    audiences,
    async verifyAccessToken(token) {
      active++;
      try {
        const hit = cache !== void 0 && typeof token === "string" ? cache.get(token) : void 0;
        if (hit !== void 0) {
          if (hit.source.holds(hit.key)) {
            try {
              validateClaims(hit.header, hit.claims, rules, Date.now() / 1e3);
            } catch (error) {
              cache?.delete(token);
              throw error;
            }
            if (revocation !== void 0) await checkRevocation(revocation, hit.claims, hit.header);
            return hit.claims;
          }
          cache?.delete(token);
        }
        const { header: header2, payload, signingInput, signature } = parseCompactJws(token, parseOptions);
        const source = selectIssuer(payload, keySources);
        const found = source.getKeys(header2.alg, header2.kid);
        const keys2 = Array.isArray(found) ? found : await found;
        if (active === 1 && nodeSignatures.verifyInBackground !== void 0) await void 0;
        const background = active > 1 && nodeSignatures.verifyInBackground !== void 0;
        let verifiedBy;
        for (const key of keys2) {
          if (!hasExpectedShape(header2.alg, key, signature)) continue;
          const verified = background ? nodeSignatures.verifyInBackground(header2.alg, key, signingInput, signature) : nodeSignatures.verify(header2.alg, key, signingInput, signature);
          if (typeof verified === "boolean" ? verified : await verified) {
            verifiedBy = key;
            break;
          }
        }
        if (verifiedBy === void 0) throw new AccessTokenError("signature_invalid", "token signature does not verify");
        validateClaims(header2, payload, rules, Date.now() / 1e3);
        const claims = payload;
        cache?.admit({ token, header: header2, claims, key: verifiedBy, source });
        if (revocation !== void 0) await checkRevocation(revocation, claims, header2);
        return claims;
      } finally {
        active--;
      }
    },
    async warmUp() {
      await Promise.all([...keySources.values()].map((source) => source.load()));
    }
  };
}
function resolveCache(value) {
  if (value === false) return void 0;
  const settings = value ?? {};
  if (!isPlainObject(settings)) fail("cache", "false or an object");
  knownKeys("cache", settings, ["maxEntries"]);
  const max = integer("cache.maxEntries", settings.maxEntries, 1e4, 1, 1e7);
  return createVerifiedTokenCache(max);
}
function resolveAlgorithms(value) {
  if (value === void 0) return new Set(SUPPORTED_ALGORITHMS);
  if (!Array.isArray(value) || value.length === 0) fail("algorithms", "a non-empty array of algorithm names");
  for (const alg of value) {
    if (!isSupportedAlgorithm(alg)) {
      throw new TypeError(
        `tokenwarden: option "algorithms" contains ${JSON.stringify(alg)}; supported: ${SUPPORTED_ALGORITHMS.join(", ")} (HMAC and "none" are never accepted with keys from a JWKS)`
      );
    }
  }
  return new Set(value);
}
function resolveRevocation(options, clockTolerance) {
  const failOpen = boolean("revocationFailOpen", options.revocationFailOpen, false);
  const timeout = seconds("revocationTimeout", options.revocationTimeout, 1, 1e-3, 60);
  const checker = options.revocation;
  if (checker === void 0) return void 0;
  if (typeof checker !== "object" || checker === null || typeof checker.isRevoked !== "function") {
    fail("revocation", "an object with an isRevoked(claims, header) method");
  }
  if (typeof checker.clockTolerance === "number" && checker.clockTolerance < clockTolerance) {
    throw new RangeError(
      `tokenwarden: option "clockTolerance" (${clockTolerance} s) exceeds how long the revocation store keeps entries past exp (${checker.clockTolerance} s)`
    );
  }
  return { checker, failOpen, timeout: timeout * 1e3 };
}
function resolveKeySources(options, issuers, algorithms) {
  const jwks2 = options.jwks ?? {};
  if (!isPlainObject(jwks2)) fail("jwks", "an object");
  knownKeys("jwks", jwks2, JWKS_OPTION_NAMES);
  const cooldown = seconds("jwks.cooldown", jwks2.cooldown, 30, 0, 86400);
  const maxAge = seconds("jwks.maxAge", jwks2.maxAge, 600, 0, 7 * 86400);
  const timeout = seconds("jwks.timeout", jwks2.timeout, 5, 0.01, 300);
  const maxStale = seconds("jwks.maxStale", jwks2.maxStale, 86400, 0, 30 * 86400);
  const maxBytes = integer("jwks.maxBytes", jwks2.maxBytes, 524288, 256, 64 * 1024 * 1024);
  if (jwks2.fetch !== void 0 && typeof jwks2.fetch !== "function") fail("jwks.fetch", "a fetch-compatible function");
  const get = jwks2.fetch === void 0 ? undiciGet : fetchGet(jwks2.fetch);
  const uris = resolveJwksUris(options.jwksUri, issuers);
  const sources = /* @__PURE__ */ new Map();
  for (const issuer of issuers) {
    const jwksUri = uris.get(issuer);
    if (jwksUri === void 0 && typeof parseFetchableUrl(issuer) === "string") {
      throw new TypeError(
        `tokenwarden: issuer ${JSON.stringify(issuer)} has no jwksUri and cannot be used for discovery: ${parseFetchableUrl(issuer)}`
      );
    }
    sources.set(
      issuer,
      createRemoteKeySource({ issuer, jwksUri, algorithms, cooldown, maxAge, timeout, maxStale, maxBytes, get, signatures: nodeSignatures })
    );
  }
  return sources;
}
function resolveJwksUris(value, issuers) {
  const uris = /* @__PURE__ */ new Map();
  if (value === void 0) return uris;
  let entries;
  if (typeof value === "string") {
    if (issuers.length !== 1) {
      fail("jwksUri", "a map from issuer to URL when several issuers are configured");
    }
    entries = [[issuers[0], value]];
  } else if (isPlainObject(value)) {
    entries = Object.entries(value);
  } else {
    fail("jwksUri", "a URL string or a map from issuer to URL");
  }
  for (const [issuer, uri] of entries) {
    if (!issuers.includes(issuer)) fail("jwksUri", `keyed by configured issuers only (got ${JSON.stringify(issuer)})`);
    if (typeof uri !== "string") fail("jwksUri", "a URL string");
    const url = parseFetchableUrl(uri);
    if (typeof url === "string") throw new TypeError(`tokenwarden: option "jwksUri" ${url}`);
    uris.set(issuer, url);
  }
  return uris;
}

// bench/contenders.ts
async function tokenwarden(keys2, jwksUri, cache = true) {
  const verifier = createVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri,
    algorithms: [keys2.alg],
    ...cache ? {} : { cache: false }
  });
  await verifier.warmUp();
  return { name: cache ? "tokenwarden" : "tokenwarden (cache off)", verify: (token) => verifier.verifyAccessToken(token) };
}

// bench/_ir.ts
nodeSignatures.verify = () => true;
nodeSignatures.verifyInBackground = () => Promise.resolve(true);
var privateKey = createPrivateKey(readFileSync("/tmp/prof/rsa.pem"));
var publicKey = createPublicKey2(privateKey);
var keys = { alg: "RS256", kid: "rs256-bench", privateKey, publicKey, publicPem: "", jwk: { ...publicKey.export({ format: "jwk" }), kid: "rs256-bench", alg: "RS256", use: "sig" } };
var N = Number(process.env.N ?? 5e3);
var PASSES = Number(process.env.PASSES ?? 1);
var seg = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
var header = seg({ alg: "RS256", kid: keys.kid, typ: "at+jwt" });
var now = Math.floor(Date.now() / 1e3);
var k = 0;
var make = () => Array.from({ length: N }, () => {
  const i = k++;
  return Buffer.from(`${header}.${seg({ iss: ISSUER, aud: AUDIENCE, sub: `user-${i}`, client_id: "bench-client", scope: "orders:read orders:write", iat: now, exp: now + 3600, jti: `jti-${i}` })}.${randomBytes(256).toString("base64url")}`, "latin1").toString("latin1");
});
var sets = Array.from({ length: 4 }, make).slice(0, 1 + PASSES);
var jwks = await serveJwks([keys]);
var c = await tokenwarden(keys, jwks.uri, process.env.CACHE !== "0");
var mode = process.env.MODE ?? "seq";
for (const tokens of sets) {
  if (mode === "seq") for (const token of tokens) await c.verify(token);
  else {
    let next = 0;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (next < tokens.length) await c.verify(tokens[next++]);
    }));
  }
}
await jwks.close();
