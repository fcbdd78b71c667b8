import { decodeJsonObject, countMemberNames } from '../src/token/decode.js';
import { createKeys, createTokens } from '../bench/fixtures.js';
const keys = createKeys('RS256');
const tokens = createTokens(keys, 20000);
const payloads = tokens.map((t) => t.split('.')[1] as string);
const texts = payloads.map((p) => Buffer.from(p, 'base64url').toString('utf8'));
function time(name: string, fn: (i: number) => unknown) {
  const res: number[] = [];
  for (let r = 0; r < 7; r++) { const t0 = performance.now(); for (let i = 0; i < payloads.length; i++) fn(i); res.push((performance.now() - t0) * 1000 / payloads.length); }
  res.sort((a, b) => a - b); console.log(name.padEnd(50), res[3]!.toFixed(3), 'µs');
}
time('lenient: Buffer base64url + toString + JSON.parse', (i) => JSON.parse(Buffer.from(payloads[i]!, 'base64url').toString('utf8')));
time('tokenwarden decodeJsonObject (strict, frozen)', (i) => decodeJsonObject(payloads[i]!));
time('  of which countMemberNames', (i) => countMemberNames(texts[i]!));
time('  of which deep freeze of a parsed copy', (i) => Object.freeze(JSON.parse(texts[i]!)));
time('  JSON.parse alone', (i) => JSON.parse(texts[i]!));
