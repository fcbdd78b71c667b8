// Encrypted access tokens (JWE) against the same tokens signed only (JWS): what decryption adds
// to a verification on first sight (no verified-token cache), for RSA-OAEP-256, ECDH-ES (P-256)
// and dir, each with A256GCM around an ES256-signed JWT. Sequential, distinct tokens every pass.
//
//   BENCH_ONLY=jwe npm run bench      (BENCH_JWE_ITEMS, BENCH_ROUNDS to size it)
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { CompactEncrypt } from 'jose';
import { createVerifier } from '../src/verifier.js';
import { createTestIssuer } from '../src/testing/index.js';
import { interleavedPasses, median, pairedRatio, sequential } from './measure.js';

const ITEMS = Number(process.env.BENCH_JWE_ITEMS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);

interface Scheme {
  readonly name: string;
  readonly alg: string;
  /** What the issuer encrypts to. */
  readonly encryptTo: unknown;
  /** What the verifier decrypts with. */
  readonly decryptWith: Record<string, unknown>;
}

function schemes(): Scheme[] {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const secret = randomBytes(32);
  return [
    { name: 'RSA-OAEP-256 + A256GCM', alg: 'RSA-OAEP-256', encryptTo: rsa.publicKey, decryptWith: { key: rsa.privateKey, alg: 'RSA-OAEP-256', kid: 'rsa' } },
    { name: 'ECDH-ES (P-256) + A256GCM', alg: 'ECDH-ES', encryptTo: ec.publicKey, decryptWith: { key: ec.privateKey, alg: 'ECDH-ES', kid: 'ec' } },
    { name: 'dir + A256GCM', alg: 'dir', encryptTo: new Uint8Array(secret), decryptWith: { kty: 'oct', k: secret.toString('base64url'), alg: 'dir', kid: 'dir' } },
  ];
}

/** Runs the JWE section and prints its table. */
export async function jweSection(): Promise<void> {
  const issuer = await createTestIssuer({ algorithm: 'ES256', audience: 'bench-api' });
  try {
    const all = schemes();
    const verifier = createVerifier({
      issuer: issuer.issuer,
      audience: 'bench-api',
      jwksUri: issuer.jwksUri,
      cache: false,
      decryption: { keys: all.map((scheme) => scheme.decryptWith) as never },
    });
    await verifier.warmUp();

    // Per pass, ITEMS distinct signed tokens, and each one encrypted under every scheme.
    const tokens = new Map<string, string>();
    const passes: string[][] = [];
    for (let pass = 0; pass <= ROUNDS; pass++) {
      const names: string[] = [];
      for (let i = 0; i < ITEMS; i++) {
        const name = `${pass}.${i}`;
        const jws = await issuer.sign({ sub: `user-${i}` });
        tokens.set(`jws:${name}`, jws);
        for (const scheme of all) {
          const jwe = await new CompactEncrypt(new TextEncoder().encode(jws))
            .setProtectedHeader({ alg: scheme.alg, enc: 'A256GCM', cty: 'at+jwt', kid: scheme.decryptWith.kid as string })
            .encrypt(scheme.encryptTo as never);
          tokens.set(`${scheme.alg}:${name}`, jwe);
        }
        names.push(name);
      }
      passes.push(names);
    }

    const runner = (prefix: string) => sequential((name) => verifier.verifyAccessToken(tokens.get(`${prefix}:${name}`) as string));
    const { rates } = await interleavedPasses([runner('jws'), ...all.map((scheme) => runner(scheme.alg))], passes);
    const [jwsRates, ...jweRates] = rates as number[][];
    console.log(`\nES256 inside JWE — sequential, ${ITEMS} distinct tokens per pass, no verified-token cache`);
    console.log(`  ${'signed only (JWS)'.padEnd(34)} ${Math.round(median(jwsRates as number[])).toString().padStart(9)} ops/s`);
    all.forEach((scheme, i) => {
      const ours = jweRates[i] as number[];
      const ratio = pairedRatio(ours, jwsRates as number[]).median;
      console.log(`  ${scheme.name.padEnd(34)} ${Math.round(median(ours)).toString().padStart(9)} ops/s  ${ratio.toFixed(2)}× the JWS`);
    });
  } finally {
    await issuer.close();
  }
}
