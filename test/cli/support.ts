import type { CliIo } from '../../src/cli/io.js';

/** A CLI's surroundings in memory: what it printed, and the standard input it reads. */
export interface MemoryIo extends CliIo {
  stdout(): string;
  stderr(): string;
}

export function memoryIo(stdin = ''): MemoryIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (text) => void out.push(text),
    err: (text) => void err.push(text),
    readStdin: async () => stdin,
    stdout: () => out.join('\n'),
    stderr: () => err.join('\n'),
  };
}
