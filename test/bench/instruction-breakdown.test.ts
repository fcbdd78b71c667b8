import { describe, expect, it } from 'vitest';
import { instructionBreakdown, perfMapNames, readCallgrindDump } from '../../bench/instruction-breakdown.js';

// `npm run bench:instructions` splits each counted stretch into the signature call, JSON.parse,
// Node's other native helpers and the rest, and names the JavaScript in it from Node's perf map.
const DUMP = [
  'events: Ir',
  'fn=(1) Builtins_CallApiCallback',
  '0 100',
  'cfn=(2) node::crypto::CryptoJob<node::crypto::SignTraits>::Run(v8::FunctionCallbackInfo<v8::Value> const&)',
  'calls=1 0',
  '0 5000',
  'cfn=(3) void node::Buffer::(anonymous namespace)::StringWrite<(node::encoding)7>(v8::FunctionCallbackInfo<v8::Value> const&)',
  'calls=2 0',
  '0 300',
  'fn=(2)',
  '0 40',
  // Nested inside the signature call: counted once, through the call above.
  'cfn=(4) node::crypto::SignTraits::DeriveBits(node::Environment*)',
  'calls=1 0',
  '0 4960',
  'fn=(5) v8::internal::FunctionCallbackArguments::Call(v8::internal::CallHandlerInfo)',
  '0 10',
  // Running the microtask queue runs JavaScript: no native helper.
  'cfn=(6) node::task_queue::RunMicrotasks(v8::FunctionCallbackInfo<v8::Value> const&)',
  'calls=1 0',
  '0 9999',
  'cfn=(7) node::Buffer::(anonymous namespace)::SlowByteLengthUtf8(v8::FunctionCallbackInfo<v8::Value> const&)',
  'calls=1 0',
  '0 60',
  'fn=(8) 0x000000000d106d00',
  '0 700',
  '+3 5',
  'cfn=(9) v8::internal::Builtin_JsonParse(int, unsigned long*, v8::internal::Isolate*)',
  'calls=1 0',
  '0 400',
  'fn=(9)',
  '0 30',
  'fn=(10) Builtins_StringIndexOf\'2',
  '0 80',
  'fn=(11) 0x000000000d200000',
  '0 9',
  'fn=(12) 0x000000000d300010',
  '0 12',
  'totals: 20000',
].join('\n');

const PERF_MAP = [
  'd106c00 200 JS:~parseCompactJws file:///x/src/token/parse.ts:1:828',
  // Recompiled into the same space later: the latest mapping names the code that ran.
  'd106d00 100 JS:*parseCompactJws file:///x/src/token/parse.ts:1:828',
  'd106e00 a JS:*verify file:///x/src/verifier.ts:1:2806',
  // Context-specialised code (Node 24) carries a second marker.
  'd300000 40 JS:*\'decodeJsonObject file:///x/src/token/decode.ts:1:900',
].join('\n');

describe('the breakdown of a callgrind dump', () => {
  it('reads exclusive costs, call records and the totals', () => {
    const { self, calls, total } = readCallgrindDump(DUMP);
    expect(total).toBe(20000);
    expect(self.get('0x000000000d106d00')).toBe(705);
    expect(self.get('Builtins_CallApiCallback')).toBe(100);
    expect(calls).toHaveLength(6);
    expect(readCallgrindDump('fn=(1) main\n0 10').total).toBeUndefined();
  });

  it('counts each native entry once, from JavaScript, and names JavaScript from the perf map', () => {
    const breakdown = instructionBreakdown(readCallgrindDump(DUMP), perfMapNames(PERF_MAP));
    expect(breakdown.total).toBe(20000);
    expect(breakdown.signature).toBe(5000);
    expect(breakdown.nodeNative).toBe(300 + 60);
    expect(breakdown.jsonParse).toBe(400);
    expect(Object.fromEntries(breakdown.functions)).toEqual({
      'Builtins_CallApiCallback': 100,
      'parseCompactJws (parse.ts)': 705,
      'Builtins_StringIndexOf': 80,
      'JavaScript (unnamed)': 9,
      'decodeJsonObject (decode.ts)': 12,
    });
  });

  it('leaves run-time code unnamed without a perf map', () => {
    const breakdown = instructionBreakdown(readCallgrindDump(DUMP));
    expect(breakdown.functions.get('JavaScript (unnamed)')).toBe(705 + 9 + 12);
  });
});

describe('names from a perf map', () => {
  it('finds the latest code covering an address, and nothing outside every entry', () => {
    const nameOf = perfMapNames(PERF_MAP);
    expect(nameOf(0xd106d40)).toBe('JS:*parseCompactJws file:///x/src/token/parse.ts:1:828');
    expect(nameOf(0xd106c10)).toBe('JS:~parseCompactJws file:///x/src/token/parse.ts:1:828');
    expect(nameOf(0xd106e0a)).toBeUndefined();
  });
});
