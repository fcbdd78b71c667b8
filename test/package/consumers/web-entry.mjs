// An edge-style handler bundled for the web build (esbuild platform browser or neutral): it
// verifies the token it is given with keys fetched by the global fetch. Run under Node, which
// has fetch and WebCrypto, with the issuer, key-set URL and token as one JSON argument.
import { createVerifier } from 'tokenwarden';

const { issuer, jwksUri, token } = JSON.parse(process.argv[2]);
const verifier = createVerifier({ issuer, audience: 'bundle-api', jwksUri });
verifier.verifyAccessToken(token).then(
  (claims) => console.log(JSON.stringify({ sub: claims.sub })),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
