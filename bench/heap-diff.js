/**
 * Compares V8 heap snapshots by kind of object (bench only): `node bench/heap-diff.js a.heapsnapshot
 * b.heapsnapshot [perCount]` prints, for the 40 kinds whose shallow size grew most from a to b,
 * the count and the bytes on each side (and per `perCount`, e.g. per run, when given). A kind is
 * the node's type and name (`object Execution`, `native system / JSArrayBufferData`, …);
 * array-buffer backing stores are summed under `native …` with their byte length. With one file,
 * prints its 40 largest kinds. Written for bench:capacity's probe snapshots
 * (`MEMORY_PROBE_HEAPSNAPSHOT_DIR`): a process that created N runs live against the same N
 * restarted.
 */
'use strict';
const { readFileSync } = require('node:fs');

function kinds(file) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const meta = snap.snapshot.meta;
  const fields = meta.node_fields;
  const types = meta.node_types[0];
  const width = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const nodes = snap.nodes;
  const strings = snap.strings;
  const out = new Map();
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + iType]];
    let name = strings[nodes[i + iName]];
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '';
    if (type === 'code' || type === 'hidden') name = name.slice(0, 40);
    if (type === 'closure') name = `${name}()`;
    const key = `${type} ${name}`.slice(0, 90);
    const k = out.get(key) ?? { count: 0, bytes: 0 };
    k.count++;
    k.bytes += nodes[i + iSize];
    out.set(key, k);
  }
  return out;
}

const [a, b, per] = process.argv.slice(2);
const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
const A = kinds(a);
let total = 0;
for (const k of A.values()) total += k.bytes;
if (!b) {
  console.log(`${a}: ${kb(total)} in all`);
  for (const [key, k] of [...A].sort((x, y) => y[1].bytes - x[1].bytes).slice(0, 40)) console.log(`${kb(k.bytes).padStart(12)} ${String(k.count).padStart(9)}  ${key}`);
  process.exit(0);
}
const B = kinds(b);
let totalB = 0;
for (const k of B.values()) totalB += k.bytes;
const n = Number(per) || 0;
console.log(`a ${kb(total)}, b ${kb(totalB)}, b − a ${kb(totalB - total)}${n ? ` (${((totalB - total) / n).toFixed(0)} B per ${n})` : ''}`);
const rows = [...new Set([...A.keys(), ...B.keys()])].map((key) => {
  const x = A.get(key) ?? { count: 0, bytes: 0 };
  const y = B.get(key) ?? { count: 0, bytes: 0 };
  return { key, x, y, d: y.bytes - x.bytes };
});
console.log('      Δ bytes   Δ per      count a    count b   bytes a     bytes b   kind');
for (const r of rows.sort((p, q) => Math.abs(q.d) - Math.abs(p.d)).slice(0, 40)) {
  console.log(
    `${kb(r.d).padStart(12)} ${(n ? (r.d / n).toFixed(0) : '').padStart(7)} ${String(r.x.count).padStart(10)} ${String(r.y.count).padStart(10)} ${kb(r.x.bytes).padStart(10)} ${kb(r.y.bytes).padStart(11)}   ${r.key}`,
  );
}
