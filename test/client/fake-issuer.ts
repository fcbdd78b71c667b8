// A loopback issuer whose token endpoint answers what a test says: for the failures a real
// authorization server will not produce on demand (5xx, hangs, redirects, oversized bodies).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { close, listen } from '../helpers/listen.js';

export interface TokenAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FakeIssuer {
  readonly issuer: string;
  /** Token endpoint requests so far, with their form and headers. */
  readonly requests: { form: URLSearchParams; headers: IncomingMessage['headers'] }[];
  /** How the token endpoint answers the next request: an answer, or `hang` to never answer. */
  answer: (index: number) => TokenAnswer | 'hang';
  /** The `issuer` the metadata names. */
  metadataIssuer?: string;
  close(): Promise<void>;
}

export const tokenResponse = (token = 'token-1', expiresIn = 300): TokenAnswer => ({
  status: 200,
  body: { access_token: token, token_type: 'Bearer', expires_in: expiresIn },
});

export async function startFakeIssuer(answer: FakeIssuer['answer'] = () => tokenResponse()): Promise<FakeIssuer> {
  const server: Server = createServer();
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  const fake: FakeIssuer = { issuer, requests: [], answer, close: () => close(server) };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: fake.metadataIssuer ?? issuer, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks` }));
      return;
    }
    if (req.method === 'POST' && req.url === '/token') {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (text += chunk));
      req.on('end', () => {
        const index = fake.requests.length;
        fake.requests.push({ form: new URLSearchParams(text), headers: req.headers });
        const reply = fake.answer(index);
        if (reply === 'hang') return;
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.body === undefined ? undefined : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
      });
      return;
    }
    res.writeHead(404).end();
  });
  return fake;
}
