/**
 * Who holds the array buffers of a V8 heap snapshot (bench only): `node bench/heap-retainers.js
 * file.heapsnapshot [minBytes=1024] [depth=8]` follows, for every array-buffer backing store of
 * at least minBytes, a retainer chain upwards (the first strong retainer at each step, skipping
 * weak edges and the snapshot's roots) and prints the chains grouped, with how many buffers and
 * bytes each holds. Written to find what a run created live keeps of its gRPC requests.
 */
'use strict';
const { readHeapSnapshot } = require('./heap-snapshot');

const [file, minArg, depthArg] = process.argv.slice(2);
const minBytes = Number(minArg ?? 1024);
const maxDepth = Number(depthArg ?? 8);
const { nodes, edges, strings, nodeTypes, edgeTypes, NW, EW, iType, iName, iSize, eType, eName, eTo, count, firstEdge } = readHeapSnapshot(file);

// Reverse edges: for each node, its retainers (node index, edge index).
const retCount = new Uint32Array(count + 1);
for (let e = 0; e < edges.length; e += EW) retCount[edges[e + eTo] / NW]++;
const retStart = new Uint32Array(count + 1);
for (let n = 0; n < count; n++) retStart[n + 1] = retStart[n] + retCount[n];
const retFrom = new Uint32Array(retStart[count]);
const retEdge = new Uint32Array(retStart[count]);
const fill = retStart.slice();
for (let n = 0; n < count; n++) {
  for (let e = firstEdge[n]; e < firstEdge[n + 1]; e += EW) {
    const to = edges[e + eTo] / NW;
    retFrom[fill[to]] = n;
    retEdge[fill[to]] = e;
    fill[to]++;
  }
}

const typeOf = (n) => nodeTypes[nodes[n * NW + iType]];
const nameOf = (n) => String(strings[nodes[n * NW + iName]]).slice(0, 50);
const edgeLabel = (e) => {
  const t = edgeTypes[edges[e + eType]];
  const v = edges[e + eName];
  if (t === 'element' || t === 'hidden') return `[${t === 'hidden' ? 'h' : ''}]`;
  const name = String(strings[v]);
  return /^\d+$/.test(name) ? '[]' : `.${name}`;
};

const groups = new Map();
for (let n = 0; n < count; n++) {
  if (typeOf(n) !== 'native' || !nameOf(n).includes('JSArrayBufferData')) continue;
  const size = nodes[n * NW + iSize];
  if (size < minBytes) continue;
  const chain = [];
  let cur = n;
  const seen = new Set([cur]);
  for (let d = 0; d < maxDepth; d++) {
    let next = -1;
    let via = -1;
    for (let r = retStart[cur]; r < retStart[cur + 1]; r++) {
      const e = retEdge[r];
      const t = edgeTypes[edges[e + eType]];
      const from = retFrom[r];
      if (t === 'weak' || seen.has(from)) continue;
      const ft = typeOf(from);
      if (ft === 'synthetic') continue;
      next = from;
      via = e;
      break;
    }
    if (next < 0) break;
    chain.push(`${edgeLabel(via)}<${typeOf(next) === 'object' ? nameOf(next) : typeOf(next)}`);
    seen.add(next);
    cur = next;
    // The engine's run: where the chain means something.
    if (nameOf(next) === 'Execution') break;
  }
  const key = chain.join(' ');
  const g = groups.get(key) ?? { buffers: 0, bytes: 0 };
  g.buffers++;
  g.bytes += size;
  groups.set(key, g);
}
const rows = [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 25);
for (const [key, g] of rows) console.log(`${(g.bytes / 1024).toFixed(0).padStart(8)} KiB ${String(g.buffers).padStart(6)}  ${key}`);
