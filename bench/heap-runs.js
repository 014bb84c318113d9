/**
 * What the engine's runs hold, field by field (bench only): `node bench/heap-runs.js
 * file.heapsnapshot` walks, from every `Execution` object of a V8 heap snapshot, what each of its
 * fields reaches by strong edges (not into another run, code, closures or contexts), and prints
 * per field the objects and bytes reached (V8 heap) and the array-buffer bytes they hold. Each
 * object is counted once, for the first run and field that reach it, so values shared by many
 * runs count once. Per run = divided by the number of runs. Written to compare runs created live
 * with runs recovered at start (issue 9).
 */
'use strict';
const { readHeapSnapshot } = require('./heap-snapshot');

const file = process.argv[2];
const { nodes, edges, strings, nodeTypes, edgeTypes, NW, EW, iType, iName, iSize, eType, eName, eTo, count, firstEdge } = readHeapSnapshot(file);
const typeOf = (n) => nodeTypes[nodes[n * NW + iType]];
const nameOf = (n) => String(strings[nodes[n * NW + iName]]);
const STOP_TYPES = new Set(['code', 'closure', 'hidden', 'synthetic']);

const runs = [];
for (let n = 0; n < count; n++) if (typeOf(n) === 'object' && nameOf(n) === 'Execution') runs.push(n);
const visited = new Uint8Array(count);
for (const r of runs) visited[r] = 1;
const fields = new Map();
for (const r of runs) {
  for (let e = firstEdge[r]; e < firstEdge[r + 1]; e += EW) {
    const t = edgeTypes[edges[e + eType]];
    if (t === 'weak' || t === 'hidden' || t === 'internal') continue;
    const field = t === 'property' ? String(strings[edges[e + eName]]) : `<${t}>`;
    const f = fields.get(field) ?? { objects: 0, heap: 0, buffers: 0, bufferBytes: 0 };
    const stack = [edges[e + eTo] / NW];
    while (stack.length) {
      const n = stack.pop();
      if (visited[n]) continue;
      const type = typeOf(n);
      if (STOP_TYPES.has(type)) continue;
      if (type === 'object' && (nameOf(n) === 'system / Context' || nameOf(n) === 'Execution')) continue;
      visited[n] = 1;
      if (type === 'native') {
        if (nameOf(n).includes('JSArrayBufferData')) {
          f.buffers++;
          f.bufferBytes += nodes[n * NW + iSize];
        }
        continue;
      }
      f.objects++;
      f.heap += nodes[n * NW + iSize];
      for (let c = firstEdge[n]; c < firstEdge[n + 1]; c += EW) {
        const ct = edgeTypes[edges[c + eType]];
        if (ct === 'weak') continue;
        stack.push(edges[c + eTo] / NW);
      }
    }
    fields.set(field, f);
  }
}
const per = (x) => (runs.length ? (x / runs.length).toFixed(0) : '—');
let heap = 0;
let bufferBytes = 0;
console.log(`${runs.length} runs (Execution objects, ${per(runs.reduce((a, r) => a + nodes[r * NW + iSize], 0))} B each)`);
console.log('field                    objects/run  heap B/run  buffers/run  buffer B/run');
for (const [name, f] of [...fields].sort((a, b) => b[1].heap + b[1].bufferBytes - a[1].heap - a[1].bufferBytes)) {
  heap += f.heap;
  bufferBytes += f.bufferBytes;
  if (f.heap + f.bufferBytes === 0) continue;
  console.log(`${name.padEnd(24)} ${(f.objects / runs.length).toFixed(1).padStart(11)} ${per(f.heap).padStart(11)} ${(f.buffers / runs.length).toFixed(2).padStart(12)} ${per(f.bufferBytes).padStart(13)}`);
}
console.log(`all fields: heap ${per(heap)} B/run, array buffers ${per(bufferBytes)} B/run`);
