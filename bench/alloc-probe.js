/**
 * Allocation probe of bench:alloc (bench only; preloaded with `-r` into the service's node
 * process, and by Node into every worker thread). On SIGWINCH the main thread tells every thread
 * (BroadcastChannel) to start V8's sampling heap profiler counting objects that young and full
 * GCs collected too (so it shows allocation volume, not what stays live); on the next SIGWINCH
 * each thread stops it and writes `<dir>/<pid>-<threadId>.heapprofile` (ALLOC_PROBE_DIR).
 * ALLOC_PROBE_SURVIVORS=1: objects that young GCs collected are left out, so the profile shows
 * what survived a scavenge (promoted to the old generation, or still live): what full GCs collect.
 */
'use strict';
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');
const { BroadcastChannel, isMainThread, threadId } = require('node:worker_threads');

const dir = process.env.ALLOC_PROBE_DIR || '/tmp/alloc-probe';
const channel = new BroadcastChannel('hotline-bench-alloc-probe');
channel.unref();
let session;
const post = (method, params) => new Promise((resolve, reject) => session.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r))));

async function toggle() {
  if (!session) {
    session = new inspector.Session();
    session.connect();
    await post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: process.env.ALLOC_PROBE_SURVIVORS !== '1' });
    return;
  }
  const { profile } = await post('HeapProfiler.stopSampling');
  session.disconnect();
  session = undefined;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${process.pid}-${threadId}.heapprofile`), JSON.stringify(profile));
}

channel.onmessage = () => void toggle().catch((e) => console.error('alloc probe', e));
if (isMainThread) {
  process.on('SIGWINCH', () => {
    channel.postMessage('toggle');
    void toggle().catch((e) => console.error('alloc probe', e));
  });
}
