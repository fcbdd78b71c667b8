// What every command needs from its surroundings, passed in so that commands run the same in
// the bin and in tests: where results and diagnostics go, and standard input.

/** Exit codes of every command. */
export const EXIT = Object.freeze({
  /** The token verified, or the command did what it was asked. */
  ok: 0,
  /** The token (or key set) was refused, with the reason on stdout. */
  refused: 1,
  /** The command line is wrong; `--help` says how to use it. */
  usage: 2,
  /** The issuer could not be reached: nothing could be decided. */
  unavailable: 3,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface CliIo {
  /** Results: what the command found, for people or (with --json) for programs. */
  out(text: string): void;
  /** Diagnostics: usage errors and what went wrong. Never a token or a signature. */
  err(text: string): void;
  /** All of standard input, for a token given as `-`. */
  readStdin(): Promise<string>;
}

/** A command-line mistake: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The process's own streams. */
export function processIo(): CliIo {
  return {
    out: (text) => void process.stdout.write(`${text}\n`),
    err: (text) => void process.stderr.write(`${text}\n`),
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
