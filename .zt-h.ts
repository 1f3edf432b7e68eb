import { parsePlanYaml } from './src/plan/read-yaml';
import { parsePlanText } from './src/plan/load';
const r = parsePlanYaml('a: &a [1, *a]\n');
console.log(r.problems, r.value);
const t0 = Date.now();
try { parsePlanText('apiVersion: &a [1, *a]\nname: x\n', 'cyc.yaml'); } catch (e) { console.log((e as Error).message, Date.now() - t0); }
const legit = 'x: &auth { type: apiKey, key: env:K }\ny:\n' + Array.from({ length: 1000 }, (_, i) => `  - { name: t${i}, auth: *auth }`).join('\n');
let t1 = Date.now(); console.log('legit', parsePlanYaml(legit).problems, Date.now() - t1);
const over = legit + '\n  - { name: t, auth: *auth }';
t1 = Date.now(); console.log('over', parsePlanYaml(over).problems, Date.now() - t1);
