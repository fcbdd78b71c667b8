import { readFileSync, readdirSync } from 'node:fs';
const dir = process.argv[2]; const files = readdirSync(dir).filter(f => f.endsWith('.cpuprofile')).sort();
const p = files.map(f => JSON.parse(readFileSync(dir + "/" + f, "utf8"))).map(q => { const idle = new Set(q.nodes.filter(n => n.callFrame.functionName === "(idle)").map(n => n.id)); q.busy = q.samples.filter(x => !idle.has(x)).length; return q; }).sort((a, b) => b.busy - a.busy)[0];
const byId = new Map(p.nodes.map(n => [n.id, n]));
const self = new Map(); const counts = new Map();
for (const s of p.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
let total = 0;
for (const [id, c] of counts) { const n = byId.get(id); const f = n.callFrame; const k = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber}`; self.set(k, (self.get(k) ?? 0) + c); total += c; }
for (const [k, c] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 40))) console.log((100 * c / total).toFixed(1).padStart(5), k);
