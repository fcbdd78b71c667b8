// A Node service bundled whole (esbuild platform node, webpack target node): it starts the
// package's test issuer, verifies one of its tokens and prints what it got.
import { createVerifier } from 'tokenwarden';
import { createTestIssuer } from 'tokenwarden/testing';

async function main() {
  const issuer = await createTestIssuer({ audience: 'bundle-api' });
  try {
    const verifier = createVerifier({ issuer: issuer.issuer, audience: 'bundle-api', jwksUri: issuer.jwksUri });
    const claims = await verifier.verifyAccessToken(await issuer.sign({ sub: 'bundled-user' }));
    console.log(JSON.stringify({ sub: claims.sub, keyFetches: issuer.requests.jwks }));
  } finally {
    await issuer.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
