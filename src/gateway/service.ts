// The sidecar itself: a node:http server that answers a proxy's auth subrequest with 200 (and
// claim headers) or the adapters' refusal, plus /healthz, /readyz and a graceful close. Built
// on the adapter core, so a refusal here is byte for byte what `protect()` answers in an app.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createCore, nodeSource, type RequestCheck, type TokenSource } from '../adapters/core.js';
import type { AccessTokenClaims } from '../claims/types.js';
import { PRESENTED_CREDENTIAL } from '../dpop/request.js';
import { CHANNELS } from '../events/channels.js';
import type { JwksFetchEvent } from '../events/jwks.js';
import type { ErrorAnswer } from '../lib/answer.js';
import { bearerChallenge } from '../lib/challenge.js';
import type { Verifier } from '../verifier.js';
import { forwardedCertificate } from './client-certificate.js';
import type { GatewayConfig } from './config.js';
import { claimHeaderList } from './forward.js';
import { introspectionFailureLine, phantomHeaders } from './phantom.js';
import { startTelemetry } from './telemetry.js';
import { originalRequest, type OriginalProblem } from './original-request.js';
import { openReplayStore } from './replay.js';
import { answerCode, logRefusal, type LineWriter, type RefusalCode } from './refusal-log.js';
import { matchRoute, type RouteRule } from './routes.js';
import { createTrustedProxies } from './trusted-proxies.js';

/** A running sidecar. */
export interface GatewayService {
  /** Where it listens (the port the OS chose when the config said 0). */
  readonly address: { readonly host: string; readonly port: number };
  readonly server: Server;
  /** Fetches every issuer's key set now (never rejects: a failure shows in /readyz and the log). */
  warmUp(): Promise<void>;
  /**
   * Stops accepting, lets in-flight checks finish (their keep-alive sockets then close), and
   * after `shutdownTimeout` seconds cuts what is left. Resolves once the server is closed.
   */
  close(): Promise<void>;
}

/** What the service needs besides the config. */
export interface GatewayServiceOptions {
  /** Where refusal and event lines go. @default a line on stdout */
  write?: LineWriter;
  /** A verifier to use instead of one built from `config.verifier` (tests, embedding). */
  verifier?: Verifier;
}

/** Sent with the refusal on nginx, which drops an auth subrequest's body: its config returns this as the body. */
export const ERROR_BODY_HEADER = 'x-auth-error-body';
// Above nginx's upstream keepalive_timeout (60 s), so the proxy closes idle connections first
// and never sends a check down a socket the sidecar is closing.
const KEEP_ALIVE_MS = 75_000;

const PROBLEM_DESCRIPTION: Readonly<Record<OriginalProblem, string>> = {
  untrusted_forwarding: 'Forwarding headers are accepted only from the configured proxies',
  missing_forwarding: 'The proxy did not say which request to authorize',
  bad_path: 'The request path is not valid',
};

// Non-ASCII would not survive a header; descriptions are ASCII today, this keeps it so.
const asciiJson = (value: unknown): string => JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * An answer as written: its status, its headers as the flat `[name, value, …]` list
 * `writeHead` takes as it is (content-length included), and its body. Answers that never
 * change are prepared once, so a check's answer costs no object spreads or JSON.
 */
interface Prepared {
  readonly status: number;
  readonly headers: string[];
  readonly body: string;
}

function prepare(status: number, headers: Readonly<Record<string, string>>, body: string): Prepared {
  const list: string[] = [];
  for (const name of Object.keys(headers)) list.push(name, headers[name] as string);
  list.push('content-length', String(Buffer.byteLength(body)));
  return { status, headers: list, body };
}

const NO_STORE = 'no-store';
const CLOSE = ['connection', 'close'] as const;


/** Starts the sidecar for a checked config. Rejects when it cannot listen. */
export async function startGateway(config: GatewayConfig, options: GatewayServiceOptions = {}): Promise<GatewayService> {
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  // A verifier handed in brings its own replay store.
  const replay = await openReplayStore(options.verifier === undefined ? config.replay : { kind: 'memory' });
  let verifierOptions = config.verifier;
  if (replay.store !== undefined) verifierOptions = { ...verifierOptions, dpop: { ...verifierOptions.dpop, replay: replay.store } };
  let core: ReturnType<typeof createCore>;
  try {
    core = createCore({
      verifier: options.verifier ?? verifierOptions,
    ...(config.realm === undefined ? {} : { realm: config.realm }),
    ...(config.cookie === undefined ? {} : { cookie: config.cookie }),
    ...(config.resourceMetadata === undefined ? {} : { resourceMetadata: config.resourceMetadata }),
      retryAfter: config.retryAfter,
    }, []);
  } catch (error) {
    await replay.close();
    throw error;
  }
  const readiness = core.readiness();
  const trusted = createTrustedProxies(config.trustedProxies);
  const checks = new Map<RouteRule, RequestCheck<AccessTokenClaims>>();
  for (const rule of config.routes) if (!rule.anonymous) checks.set(rule, core.protect(rule.guards, rule.where));
  const anyToken = core.protect([], 'default');
  const realm = config.realm ?? core.verifier.audiences[0] ?? 'api';
  const nginx = config.proxy === 'nginx';
  const { certificateHeader, proxy } = config;

  const requestProblem = (description: string): ErrorAnswer => ({
    status: 400,
    headers: { 'www-authenticate': bearerChallenge({ realm, error: 'invalid_request', error_description: description, resource_metadata: config.resourceMetadata }) },
    body: { error: 'invalid_request', error_description: description },
    error: undefined,
  });
  const denied: ErrorAnswer = {
    status: 403,
    headers: {},
    body: { error: 'access_denied', error_description: 'No route rule allows this request' },
    error: undefined,
  };

  let closing = false;
  let inFlight = 0;

  // Every request ends here (or in res.destroy()): that is where it stops being in flight.
  // Once closing, every answer ends its connection: keep-alive sockets close as their checks finish.
  function send(res: ServerResponse, answer: Prepared): void {
    inFlight--;
    res.writeHead(answer.status, closing ? [...answer.headers, ...CLOSE] : answer.headers);
    res.end(answer.body);
  }

  function prepareRefusal(answer: ErrorAnswer): Prepared {
    const headers: Record<string, string> = { ...answer.headers, 'content-type': 'application/json', 'cache-control': NO_STORE };
    if (nginx) headers[ERROR_BODY_HEADER] = asciiJson(answer.body);
    return prepare(answer.status, headers, JSON.stringify(answer.body));
  }
  // Refusals that come before any token is read (no token, two, a malformed header, a
  // forwarding problem, a denied route) are the same objects every time: prepared once.
  const preparedRefusals = new WeakMap<ErrorAnswer, Prepared>();
  function preparedRefusal(answer: ErrorAnswer): Prepared {
    if (answer.error !== undefined) return prepareRefusal(answer);
    let prepared = preparedRefusals.get(answer);
    if (prepared === undefined) {
      prepared = prepareRefusal(answer);
      preparedRefusals.set(answer, prepared);
    }
    return prepared;
  }
  const problems = new Map<OriginalProblem, ErrorAnswer>(
    (Object.keys(PROBLEM_DESCRIPTION) as OriginalProblem[]).map((problem) => [problem, requestProblem(PROBLEM_DESCRIPTION[problem])]),
  );
  const granted = (claims: AccessTokenClaims | undefined): Prepared => {
    const headers = claimHeaderList(config.forward, claims);
    headers.push('cache-control', NO_STORE, 'content-length', '0');
    return { status: 200, headers, body: '' };
  };
  const anonymousAnswer = granted(undefined);
  // The verifier hands out the same frozen claims for a token it recalls from its cache, and
  // the answer depends on nothing else: prepared once per claims object.
  const grantedAnswers = new WeakMap<AccessTokenClaims, Prepared>();
  function grantedFor(claims: AccessTokenClaims): Prepared {
    let prepared = grantedAnswers.get(claims);
    if (prepared === undefined) {
      prepared = granted(claims);
      grantedAnswers.set(claims, prepared);
    }
    return prepared;
  }
  // Phantom tokens: the upstream Authorization depends on the request, so it joins each answer.
  function withPhantom(answer: Prepared, claims: AccessTokenClaims | undefined, authorization: string | undefined): Prepared {
    if (config.phantomToken === undefined) return answer;
    return { ...answer, headers: [...answer.headers, ...Object.entries(phantomHeaders(config.phantomToken, claims, authorization)).flat()] };
  }
  const HEALTHY = prepare(200, { 'content-type': 'application/json', 'cache-control': NO_STORE }, '{"status":"ok"}');
  const FAILED = prepare(500, { 'content-type': 'application/json' }, '{"error":"server_error","error_description":"The server failed to process the request"}');

  function refuse(res: ServerResponse, answer: ErrorAnswer, line: { code: RefusalCode; method?: string; path?: string; route?: string; claims?: AccessTokenClaims }): void {
    send(res, preparedRefusal(answer));
    if (config.logRefusals) {
      logRefusal(write, {
        status: answer.status,
        code: line.code,
        method: line.method,
        path: line.path,
        route: line.route,
        issuer: line.claims?.iss,
        clientId: typeof line.claims?.client_id === 'string' ? line.claims.client_id : undefined,
      });
    }
  }

  // Only a trusted proxy's header, and only the configured one, can name the client certificate.
  function certificateOf(req: IncomingMessage, fromProxy: boolean): Uint8Array | undefined {
    if (!fromProxy || certificateHeader === undefined) return undefined;
    const value = req.headers[certificateHeader];
    return typeof value === 'string' ? forwardedCertificate(proxy, value) : undefined;
  }

  // A connection's peer never changes: its address is matched once, not once per check.
  const peers = new WeakMap<Socket, boolean>();
  function fromTrustedProxy(socket: Socket): boolean {
    let known = peers.get(socket);
    if (known === undefined) {
      known = trusted.trusts(socket.remoteAddress);
      peers.set(socket, known);
    }
    return known;
  }

  async function check(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fromProxy = fromTrustedProxy(req.socket);
    const original = originalRequest(
      { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, trusted: fromProxy, certificateHeader },
      proxy,
      config.pathPrefix,
    );
    if (typeof original === 'string') {
      refuse(res, problems.get(original) as ErrorAnswer, { code: original });
      return;
    }
    const { method, path, url } = original;
    const rule = matchRoute(config.routes, method, path);
    const route = rule?.where ?? 'default';
    if (rule?.anonymous === true) {
      send(res, withPhantom(anonymousAnswer, undefined, undefined));
      return;
    }
    if (rule === undefined && config.default === 'deny') {
      refuse(res, denied, { code: 'route_denied', method, path, route });
      return;
    }
    const carrier = {};
    // The verifier judges the client's request (its method, the URL it called, its DPoP proof
    // and certificate), not the subrequest the proxy sent here.
    const { authorization, cookie } = nodeSource(req);
    const source: TokenSource = {
      authorization,
      cookie,
      request: (credential) => ({ method, url, headers: req.headers, clientCertificate: certificateOf(req, fromProxy), [PRESENTED_CREDENTIAL]: credential }),
    };
    const outcome = await (rule === undefined ? anyToken : (checks.get(rule) as RequestCheck<AccessTokenClaims>))(carrier, source);
    if (outcome.answer !== undefined) {
      let claims: AccessTokenClaims | undefined;
      // A guard's refusal (403) comes after verification: the core holds the verified claims.
      if (outcome.answer.status === 403) claims = core.claimsOf(carrier, 'gateway');
      refuse(res, outcome.answer, { code: answerCode(outcome.answer), method, path, route, ...(claims === undefined ? {} : { claims }) });
      return;
    }
    send(res, withPhantom(grantedFor(outcome.claims), outcome.claims, req.headers.authorization));
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    inFlight++;
    const target = req.url ?? '/';
    const own = target.startsWith('/healthz') || target.startsWith('/readyz') ? target.split('?', 1)[0] : target;
    if (own === '/healthz') {
      send(res, HEALTHY);
      return;
    }
    if (own === '/readyz') {
      const answer = readiness();
      send(res, prepare(answer.status, { ...answer.headers, 'content-type': 'application/json' }, JSON.stringify(answer.body)));
      return;
    }
    check(req, res).catch((error: unknown) => {
      // Not a refusal: a bug or a broken config. The message, never a stack full of internals.
      write(JSON.stringify({ time: new Date().toISOString(), event: 'error', message: error instanceof Error ? error.message : String(error) }));
      if (!res.headersSent) send(res, FAILED);
      else {
        inFlight--;
        res.destroy();
      }
    });
  }

  // Key-set fetches that fail are worth a line too: they come before the 503s.
  const onFetch = (message: unknown): void => {
    const event = message as JwksFetchEvent;
    if (event.error === undefined) return;
    write(JSON.stringify({ time: new Date().toISOString(), event: 'jwks_fetch_failed', issuer: event.issuer, url: event.url, status: event.status, message: event.error.message }));
  };
  subscribe(CHANNELS.jwksFetch, onFetch);
  const onIntrospection = (message: unknown): void => introspectionFailureLine(message, write);
  subscribe(CHANNELS.introspectionRequest, onIntrospection);

  let telemetry: { close(): void } | undefined;
  const server = createServer({ keepAliveTimeout: KEEP_ALIVE_MS, headersTimeout: KEEP_ALIVE_MS + 1000 }, handle);
  try {
    if (config.opentelemetry) telemetry = await startTelemetry(core.verifier);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.listen.port, config.listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    unsubscribe(CHANNELS.jwksFetch, onFetch);
    unsubscribe(CHANNELS.introspectionRequest, onIntrospection);
    telemetry?.close();
    await replay.close();
    throw error;
  }
  const bound = server.address() as AddressInfo;

  return {
    address: { host: config.listen.host, port: bound.port },
    server,
    warmUp: () => core.verifier.warmUp().then(
      () => undefined,
      () => undefined,
    ),
    close() {
      closing = true;
      unsubscribe(CHANNELS.jwksFetch, onFetch);
      unsubscribe(CHANNELS.introspectionRequest, onIntrospection);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = setTimeout(() => server.closeAllConnections(), config.shutdownTimeout * 1000);
      // In-flight checks answer with Connection: close; sockets that turn idle meanwhile close here.
      const sweep = setInterval(() => {
        server.closeIdleConnections();
        if (inFlight === 0) clearInterval(sweep);
      }, 50);
      return closed.finally(async () => {
        clearTimeout(deadline);
        clearInterval(sweep);
        telemetry?.close();
        await replay.close();
      });
    },
  };
}
