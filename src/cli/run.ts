// The `tokenwarden` command: picks the command and turns every outcome into an exit code.
// Results go to stdout, diagnostics to stderr; a token or signature is never printed back.
import { EXIT, UsageError, type CliIo, type ExitCode } from './io.js';
import { INSPECT_USAGE, inspectCommand } from './inspect.js';
import { JWKS_USAGE, jwksCommand } from './jwks.js';
import { SERVE_USAGE, serveCommand } from './serve.js';
import { VERIFY_USAGE, verifyCommand } from './verify.js';

type Command = (args: readonly string[], io: CliIo) => Promise<ExitCode>;

const COMMANDS: Readonly<Record<string, { readonly run: Command; readonly usage: string }>> = {
  inspect: { run: inspectCommand, usage: INSPECT_USAGE },
  jwks: { run: jwksCommand, usage: JWKS_USAGE },
  serve: { run: serveCommand, usage: SERVE_USAGE },
  verify: { run: verifyCommand, usage: VERIFY_USAGE },
};

export const USAGE = `Usage: tokenwarden <command> [options]

Commands:
  inspect <token|->         decode a token WITHOUT verifying it, and flag what is unusual
  verify <token|-> ...      verify a token with tokenwarden and explain the outcome
  jwks <issuer-or-url>      list an issuer's keys and whether tokenwarden would use each
  serve [--config <file>]   run the auth service for nginx, Envoy and Traefik (docs/gateway.md)

Run \`tokenwarden <command> --help\` for a command's options.
Exit codes: 0 accepted, 1 refused, 2 usage error, 3 unavailable (the issuer could not be reached).`;

/** Runs the command line `args` (without the node and script paths) and returns the exit code. */
export async function run(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(USAGE);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(`tokenwarden: unknown command "${name}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    // parseArgs reports unknown options and missing values as TypeErrors with a code.
    const code = (error as { code?: unknown }).code;
    if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      io.err(`tokenwarden ${name}: ${(error as Error).message}\n\n${command.usage}`);
      return EXIT.usage;
    }
    throw error;
  }
}
