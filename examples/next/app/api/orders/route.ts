// app/api/orders/route.ts: the handler gets the verified claims as its second argument.
import { requireScopes } from '../../../../../src/index.js';
import { withAuth } from '../../../lib/auth.js';

export const GET = withAuth(async (_request: Request, claims) => Response.json({ user: claims.sub, orders: [] }), requireScopes('orders:read'));
