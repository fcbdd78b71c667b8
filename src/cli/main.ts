#!/usr/bin/env node
// The `tokenwarden` bin (package.json "bin"); see ./run.ts.
import { processIo } from './io.js';
import { run } from './run.js';

run(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A bug, not a refusal: say so without a stack full of internals, and never a token.
    process.stderr.write(`tokenwarden: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 70;
  },
);
