// One protected service for the end-to-end benchmark, run in its own process so the load
// generator does not share its event loop. argv: <framework> <auth> <issuer> <jwksUri>
//   framework: fastify | express      auth: none | tokenwarden | tokenwarden-nocache | peer
// Prints the port it listens on, then serves until killed.
import type { AddressInfo } from 'node:net';
import { AUDIENCE } from '../bench/fixtures.js';
import { builtModule } from '../bench/built.js';

const [framework, auth, issuer, jwksUri] = process.argv.slice(2) as [string, string, string, string];
const verifierOptions = { issuer, audience: AUDIENCE, jwksUri, algorithms: ['RS256' as const] };
const noCache = auth === 'tokenwarden-nocache' ? { cache: false as const } : {};

async function fastifyService(): Promise<AddressInfo> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  if (auth.startsWith('tokenwarden')) {
    const { createAuth } = await builtModule<typeof import('../src/adapters/fastify.js')>('fastify.js');
    const tw = createAuth({ verifier: { ...verifierOptions, ...noCache } });
    await app.register(tw.plugin);
    app.addHook('onRequest', tw.protect());
    app.get('/orders', async (request) => ({ user: request.auth?.sub }));
  } else if (auth === 'peer') {
    // @fastify/jwt with get-jwks, as their READMEs pair them.
    const { default: fastifyJwt } = await import('@fastify/jwt');
    const { default: buildGetJwks } = await import('get-jwks');
    const getJwks = buildGetJwks({ jwksPath: '/jwks.json' });
    await app.register(fastifyJwt, {
      decode: { complete: true },
      secret: (_request: unknown, token: { header: { kid: string; alg: string }; payload: { iss: string } }) =>
        getJwks.getPublicKey({ kid: token.header.kid, alg: token.header.alg, domain: token.payload.iss }),
      verify: { allowedIss: issuer, allowedAud: AUDIENCE, algorithms: ['RS256'] },
    } as never);
    app.addHook('onRequest', async (request) => {
      await (request as unknown as { jwtVerify(): Promise<void> }).jwtVerify();
    });
    app.get('/orders', async (request) => ({ user: (request as unknown as { user: { sub: string } }).user.sub }));
  } else {
    app.get('/orders', async () => ({ user: 'anonymous' }));
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server.address() as AddressInfo;
}

async function expressService(): Promise<AddressInfo> {
  const { default: express } = await import('express');
  const app = express();
  if (auth.startsWith('tokenwarden')) {
    const { createAuth } = await builtModule<typeof import('../src/adapters/express.js')>('express.js');
    const tw = createAuth({ verifier: { ...verifierOptions, ...noCache } });
    app.get('/orders', tw.protect(), (req, res) => {
      res.json({ user: req.auth?.sub });
    });
  } else if (auth === 'peer') {
    // express-jwt with jwks-rsa, as their READMEs pair them.
    const { expressjwt } = await import('express-jwt');
    const jwksRsa = await import('jwks-rsa');
    app.get(
      '/orders',
      expressjwt({
        secret: jwksRsa.expressJwtSecret({ cache: true, rateLimit: true, jwksUri }) as never,
        audience: AUDIENCE,
        issuer,
        algorithms: ['RS256'],
      }),
      (req, res) => {
        res.json({ user: (req as unknown as { auth: { sub: string } }).auth.sub });
      },
    );
  } else {
    app.get('/orders', (_req, res) => {
      res.json({ user: 'anonymous' });
    });
  }
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server.address() as AddressInfo));
  });
}

const address = framework === 'fastify' ? await fastifyService() : await expressService();
process.stdout.write(`${address.port}\n`);
process.on('SIGTERM', () => process.exit(0));
