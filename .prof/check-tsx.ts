const m = await import(new URL('../dist/node/index.js', import.meta.url).href);
const s = await import('../src/index.js');
const src = (f: Function) => f.toString();
console.log('dist has __name:', /__name\(/.test(src(m.createVerifier)), ' src has __name:', /__name\(/.test(src(s.createVerifier)));
