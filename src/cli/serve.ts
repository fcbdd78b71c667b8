// `tokenwarden serve`: the gateway sidecar (src/gateway) as a process. Config mistakes exit 2
// with the message on stderr, never a stack; SIGTERM (and SIGINT) stop it gracefully, exit 0.
import { parseArgs } from 'node:util';
import { loadConfig } from '../gateway/load.js';
import { startGateway, type GatewayService } from '../gateway/service.js';
import { EXIT, type CliIo, type ExitCode } from './io.js';

export const SERVE_USAGE = `Usage: tokenwarden serve [--config <file>]

Runs the auth service for nginx auth_request, Envoy ext_authz and Traefik forwardAuth.
The config file is JSON (see docs/gateway.md); without --config, TOKENWARDEN_CONFIG names it.
Environment overrides: TOKENWARDEN_LISTEN (host:port), TOKENWARDEN_PROXY (nginx|traefik|envoy),
TOKENWARDEN_ISSUER and TOKENWARDEN_AUDIENCE (comma-separated), TOKENWARDEN_JWKS_URI,
TOKENWARDEN_TRUSTED_PROXIES (comma-separated IPs or CIDR ranges). DPoP nonce secrets come from
TOKENWARDEN_DPOP_NONCE_SECRET (or the variable verifier.dpop.nonce.secretEnv names), never the file.

Endpoints: /healthz (process up), /readyz (every issuer has usable keys); every other path is a check.
Refusals are logged to stdout, one JSON line each. SIGTERM stops it gracefully.

Exit codes: 0 stopped by a signal, 2 config or usage error, 3 could not listen.`;

/** How the process ends; tests pass their own. */
export interface ServeHooks {
  /** Resolves when the service should stop. @default the first SIGTERM or SIGINT */
  readonly stopSignal?: Promise<unknown>;
  /** Called once the service listens. */
  readonly onListening?: (service: GatewayService) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

function firstSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(signal);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error)).replace(/^tokenwarden: /, '');

export async function serveCommand(args: readonly string[], io: CliIo, hooks: ServeHooks = {}): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(SERVE_USAGE);
    return EXIT.ok;
  }
  if (positionals.length > 0) {
    io.err(`tokenwarden serve: unexpected argument "${positionals[0] as string}"\n\n${SERVE_USAGE}`);
    return EXIT.usage;
  }
  let service: GatewayService;
  try {
    const config = loadConfig(values.config, hooks.env ?? process.env);
    try {
      service = await startGateway(config);
    } catch (error) {
      // The verifier's and the adapter core's own option checks (their messages start with
      // "tokenwarden: "), or the service's (an optional package missing): still the config's fault.
      if (error instanceof TypeError || error instanceof RangeError) {
        throw new TypeError(error.message.startsWith('tokenwarden: ') ? `verifier: ${message(error)}` : error.message);
      }
      io.err(`tokenwarden serve: cannot listen on ${config.listen.host}:${config.listen.port}: ${message(error)}`);
      return EXIT.unavailable;
    }
  } catch (error) {
    if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
    io.err(`tokenwarden serve: config: ${message(error)}`);
    return EXIT.usage;
  }
  const stop = hooks.stopSignal ?? firstSignal();
  // Fetch the key sets now, so /readyz turns ready without waiting for a first token.
  void service.warmUp();
  io.err(`tokenwarden serve: listening on ${service.address.host}:${service.address.port}`);
  hooks.onListening?.(service);
  await stop;
  io.err('tokenwarden serve: stopping (finishing checks in flight)');
  await service.close();
  return EXIT.ok;
}
