// Where a counted stretch's instructions go (issue #22: "where the remaining microseconds go"),
// read from its callgrind dump. Callgrind names native functions itself; the JavaScript that V8
// compiled at run time it sees only as addresses, which the perf map Node writes under
// `--perf-basic-prof` (/tmp/perf-<pid>.map: start, size, name per line) turns into names.
//
// The parts are the inclusive cost of calls into a native entry from outside it, so each holds
// everything its entry did: the signature call (node::crypto, OpenSSL below it), JSON.parse,
// and Node's other native helpers (Buffer.from, Buffer.byteLength, TextDecoder). What is left
// is JavaScript and V8's builtins, listed by function with their own (exclusive) cost. A
// collection counts with whatever allocated when it fell due, and so does compilation, which
// the caller reports and leaves out of the figure (see compilerInstructions in ./callgrind.ts).

/** The instructions of one counted stretch, by part. */
export interface InstructionBreakdown {
  readonly total: number;
  /** Inside node::crypto: the signature check itself, OpenSSL included. */
  readonly signature: number;
  /** Inside the JSON.parse builtin. */
  readonly jsonParse: number;
  /** Inside Node's native helpers other than node::crypto (Buffer, TextDecoder, ...). */
  readonly nodeNative: number;
  /** Exclusive cost of each JavaScript function and V8 builtin, by name. */
  readonly functions: ReadonlyMap<string, number>;
}

interface CallRecord {
  readonly caller: string;
  readonly callee: string;
  /** Inclusive: everything the callee did, with all it called. */
  readonly cost: number;
}

/** A callgrind dump (one event: Ir), read. */
export interface CallgrindDump {
  /** Exclusive cost per function. */
  readonly self: ReadonlyMap<string, number>;
  readonly calls: readonly CallRecord[];
  /** From the `totals:` line; undefined when the dump has none. */
  readonly total: number | undefined;
}

/** Reads the exclusive costs, call records and totals of a callgrind dump. */
export function readCallgrindDump(dump: string): CallgrindDump {
  // callgrind compresses names: "(12) name" defines id 12, "(12)" refers to it.
  const names = new Map<string, string>();
  const nameOf = (field: string): string => {
    const match = /^\((\d+)\)(?: (.*))?$/.exec(field);
    if (match === null) return field;
    if (match[2] !== undefined) names.set(match[1] as string, match[2]);
    return names.get(match[1] as string) ?? field;
  };
  const self = new Map<string, number>();
  const calls: CallRecord[] = [];
  let current = '';
  let callee = '';
  let nextIsCall = false;
  let total: number | undefined;
  for (const line of dump.split('\n')) {
    // A caller's line may be where a name is first defined that a later `cfn=` refers to.
    if (line.startsWith('fn=')) current = nameOf(line.slice(3));
    else if (line.startsWith('cfn=')) callee = nameOf(line.slice(4));
    else if (line.startsWith('calls=')) nextIsCall = true;
    else if (line.startsWith('totals:')) total = Number(line.slice(7));
    else if (/^[0-9+\-*]/.test(line)) {
      const cost = Number(line.split(' ')[1] ?? 0);
      if (nextIsCall) {
        // The line after `calls=` holds the call's position and its inclusive cost.
        nextIsCall = false;
        calls.push({ caller: current, callee, cost });
      } else {
        self.set(current, (self.get(current) ?? 0) + cost);
      }
    }
  }
  return { self, calls, total };
}

// Node's native functions are entered from JavaScript through V8's API-call paths.
const FROM_JAVASCRIPT = /^(?:Builtins_CallApiCallback|v8::internal::FunctionCallbackArguments::Call)\b/;
// A template's name starts with its return type ("void node::Buffer::...").
const SIGNATURE = /^(?:\S+ )?node::crypto::/;
// Running the microtask queue runs JavaScript: it is no native helper.
const NODE_NATIVE = /^(?:\S+ )?node::(?!task_queue::)/;
const JSON_PARSE = /^v8::internal::Builtin_JsonParse\(/;
// What callgrind names code it has no symbol for.
const UNNAMED_CODE = /^0x([0-9a-f]+)$/;

/** Looks up the names of run-time compiled code in the text of a perf map. */
export function perfMapNames(map: string): (address: number) => string | undefined {
  const entries: { start: number; end: number; name: string }[] = [];
  for (const line of map.split('\n')) {
    const [start, size, ...name] = line.split(' ');
    if (start === undefined || size === undefined || name.length === 0) continue;
    const from = Number.parseInt(start, 16);
    entries.push({ start: from, end: from + Number.parseInt(size, 16), name: name.join(' ') });
  }
  // Code space is reused as functions are recompiled: the latest mapping of an address is the
  // code that ran after warm-up.
  return (address) => {
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i] as (typeof entries)[number];
      if (address >= entry.start && address < entry.end) return entry.name;
    }
    return undefined;
  };
}

/** Splits a counted stretch's instructions into the parts above. */
export function instructionBreakdown(dump: CallgrindDump, nameOfCode: (address: number) => string | undefined = () => undefined): InstructionBreakdown {
  const { self, calls } = dump;
  const total = dump.total ?? 0;
  const into = (entry: (callee: string) => boolean, from: (caller: string) => boolean): number =>
    calls.reduce((sum, { caller, callee, cost }) => (entry(callee) && from(caller) ? sum + cost : sum), 0);
  const fromJavaScript = (caller: string): boolean => FROM_JAVASCRIPT.test(caller);
  const signature = into((callee) => SIGNATURE.test(callee), fromJavaScript);
  const nodeNative = into((callee) => NODE_NATIVE.test(callee) && !SIGNATURE.test(callee), fromJavaScript);
  const jsonParse = into((callee) => JSON_PARSE.test(callee), (caller) => !JSON_PARSE.test(caller));
  const functions = new Map<string, number>();
  for (const [name, cost] of self) {
    const unnamed = UNNAMED_CODE.exec(name);
    const named =
      unnamed === null
        ? name.startsWith('Builtins_')
          ? name.replace(/'\d+$/, '')
          : undefined
        : shortName(nameOfCode(Number.parseInt(unnamed[1] as string, 16)) ?? 'JavaScript (unnamed)');
    if (named !== undefined) functions.set(named, (functions.get(named) ?? 0) + cost);
  }
  return { total, signature, jsonParse, nodeNative, functions };
}

/** "JS:*parseCompactJws file:///…/src/token/parse.ts:1:828" as "parseCompactJws (parse.ts)". */
function shortName(name: string): string {
  const match = /^JS:[*~^+'-]*(\S*) (?:file:\/\/)?\S*?([^/\s:]+)(?::\d+)*$/.exec(name);
  if (match === null) return name;
  return `${match[1] === '' ? '(anonymous)' : match[1]} (${match[2]})`;
}
