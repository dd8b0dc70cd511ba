import { Environment } from '@marcbachmann/cel-js';
class L { constructor(v: any) { Object.assign(this, v); } }
const e1 = new Environment({}).registerType('Lookups', { ctor: L, fields: { oc: 'map<string, string>' } });
e1.registerVariable('lookup', 'Lookups');
const e2 = new Environment({}).registerType('Lookups', { ctor: L, fields: { n: 'map<int, int>' } });
e2.registerVariable('lookup', 'Lookups');
const v = new L({ oc: new Map([['a','b']]), n: new Map([[1n, 2n]]) });
console.log((e1.parse('lookup.oc["a"]') as any)({ lookup: v }), (e2.parse('lookup.n[1] + 1') as any)({ lookup: v }));
