// proxy.ts (middleware.ts before Next.js 16): refuse requests without a valid token before
// they reach any route under /api. Returning nothing lets the request continue.
import { middleware } from './lib/auth.js';

export const proxy = middleware();
export const config = { matcher: '/api/:path*' };
