/**
 * A V8 heap snapshot read into flat arrays with its field offsets and each node's first edge
 * (bench only), shared by bench/heap-runs.js and bench/heap-retainers.js.
 */
'use strict';
const { readFileSync } = require('node:fs');

/** Reads `file` (a .heapsnapshot) and indexes it. */
function readHeapSnapshot(file) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const meta = snap.snapshot.meta;
  const nf = meta.node_fields;
  const ef = meta.edge_fields;
  const NW = nf.length;
  const EW = ef.length;
  const { nodes, edges, strings } = snap;
  const count = nodes.length / NW;
  const iEdgeCount = nf.indexOf('edge_count');
  const firstEdge = new Uint32Array(count + 1);
  for (let n = 0, e = 0; n < count; n++) {
    firstEdge[n] = e;
    e += nodes[n * NW + iEdgeCount] * EW;
  }
  firstEdge[count] = edges.length;
  return {
    nodes,
    edges,
    strings,
    nodeTypes: meta.node_types[0],
    edgeTypes: meta.edge_types[0],
    NW,
    EW,
    iType: nf.indexOf('type'),
    iName: nf.indexOf('name'),
    iSize: nf.indexOf('self_size'),
    iEdgeCount,
    eType: ef.indexOf('type'),
    eName: ef.indexOf('name_or_index'),
    eTo: ef.indexOf('to_node'),
    count,
    firstEdge,
  };
}

module.exports = { readHeapSnapshot };
