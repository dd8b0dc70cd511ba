import { Environment } from '@marcbachmann/cel-js';
class L { constructor(v: any) { Object.assign(this, v); } }
const env = new Environment({}).registerType('Lookups', { ctor: L, fields: { oc: 'map<string, string>', n: 'map<int, int>' } });
env.registerVariable('lookup', 'Lookups');
env.registerVariable('x', 'map<string, dyn>');
const p: any = env.parse('x.a in lookup.oc');
console.log(JSON.stringify(p.ast, (k,v)=> typeof v === 'bigint'? String(v): v));
console.log(env.check('lookup.oc[x.a] + "q"'), env.check('lookup.ocx[x.a]'), env.check('lookup.n[1] + 1'));
console.log(p({ lookup: new L({ oc: new Map([['o1','c1']]) }), x: new Map([['a','o1']]) }));
const q: any = env.parse('lookup.n[x.b] + 1');
console.log(q({ lookup: new L({ n: new Map([[5n, 7n]]) }), x: new Map([['b', 5n]]) }));
