// One auth for the whole app (it holds the key cache). In your app: import from 'tokenwarden/next'.
import { createAuth } from '../../../src/adapters/next.js';

export const { withAuth, middleware } = createAuth({
  verifier: {
    issuer: process.env.AUTH_ISSUER ?? 'https://auth.example.com',
    audience: 'orders-api',
    ...(process.env.AUTH_JWKS_URI === undefined ? {} : { jwksUri: process.env.AUTH_JWKS_URI }),
  },
});
