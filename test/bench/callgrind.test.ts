import { describe, expect, it } from 'vitest';
import { compilerInstructions } from '../../bench/callgrind.js';
import { readCallgrindDump } from '../../bench/instruction-breakdown.js';

// `npm run bench:instructions` leaves out what V8's compilers did inside the counted stretch;
// that share is read from the callgrind dump's call records.
describe('the compiler share of a callgrind dump', () => {
  it("counts the inclusive cost of every call into V8's compile entries, and nothing else", () => {
    const dump = [
      'events: Ir',
      'fn=(1) Builtins_InterpreterEntryTrampoline',
      '0 500',
      'cfn=(2) v8::internal::Runtime_CompileOptimized_NotConcurrent(int, unsigned long*, v8::internal::Isolate*)',
      'calls=1 0',
      '0 9000',
      'fn=(2)',
      '0 100',
      'cfn=(3) v8::internal::Compiler::CompileOptimized(v8::internal::Isolate*)',
      'calls=1 0',
      '0 8900',
      'fn=(4) Builtins_CallFunction',
      '0 50',
      'cfn=(5) v8::internal::Runtime_BytecodeBudgetInterrupt_Maglev(int, unsigned long*, v8::internal::Isolate*)',
      'calls=2 0',
      '0 700',
      // Runtime functions that do not compile, and everything else, do not count.
      'cfn=(6) v8::internal::Runtime_StackGuard(int, unsigned long*, v8::internal::Isolate*)',
      'calls=1 0',
      '0 300',
      'cfn=(7) v8::internal::JsonParser<unsigned char>::ParseJson()',
      'calls=1 0',
      '0 1200',
      'fn=(8) Builtins_CompileLazy',
      '0 20',
      'cfn=(9) v8::internal::Runtime_CompileLazy(int, unsigned long*, v8::internal::Isolate*)',
      'calls=1 0',
      '0 4000',
      'totals: 20000',
    ].join('\n');
    expect(compilerInstructions(readCallgrindDump(dump))).toBe(9000 + 700 + 4000);
  });

  it('is zero when nothing was compiled', () => {
    expect(compilerInstructions(readCallgrindDump(['fn=(1) main', '0 10', 'cfn=(2) helper', 'calls=1 0', '0 5'].join('\n')))).toBe(0);
  });
});
