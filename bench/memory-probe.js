/**
 * Memory probe of bench:capacity (bench only, never loaded by the service on its own): preloaded
 * into the service's node process with `-r`, which Node also runs in every worker thread (the
 * SDK's workflow thread included). On SIGWINCH (not SIGUSR2: the SDK's Runtime shuts the worker down
 * on it, `shutdownSignals`) the main thread asks every thread, over a
 * BroadcastChannel, for its V8 heap figures, then writes one JSON line to stdout:
 * `{"msg":"memory probe","label":…,"main":{…},"threads":[…]}`. With `--expose-gc` among the
 * node flags each thread is also collected (full GC) and measured again, so the line says how
 * much of each heap was garbage. With `MEMORY_PROBE_HEAPSNAPSHOT_DIR=<dir>` in the service's
 * environment the main thread also writes a heap snapshot there after its GC
 * (`main-<pid>-<label>.heapsnapshot`; `bench/heap-diff.js` compares two). Plain JavaScript so
 * that it loads before ts-node.
 */
'use strict';
const v8 = require('node:v8');
const { BroadcastChannel, isMainThread, threadId, workerData } = require('node:worker_threads');

const CHANNEL = 'hotline-bench-memory-probe';
const mib = (n) => Math.round((n / 2 ** 20) * 10) / 10;

/** This thread's V8 heap (committed and used, per space) and, in the main thread, memoryUsage(). */
function heapOfThisThread() {
  const h = v8.getHeapStatistics();
  const spaces = {};
  for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name] = { committedMiB: mib(s.physical_space_size), usedMiB: mib(s.space_used_size) };
  return {
    threadId,
    // The embedded engine's own thread (scripts/engineThread.ts) says what it is.
    role: workerData && workerData.kind === 'hotline-engine-thread' ? 'engine thread' : null,
    script: (require.main && require.main.filename) || null,
    committedMiB: mib(h.total_physical_size),
    usedMiB: mib(h.used_heap_size),
    externalMiB: mib(h.external_memory),
    mallocedMiB: mib(h.malloced_memory),
    nativeContexts: h.number_of_native_contexts,
    detachedContexts: h.number_of_detached_contexts,
    spaces,
  };
}

function measure(collect) {
  const before = heapOfThisThread();
  if (!collect || typeof global.gc !== 'function') return { before };
  global.gc();
  return { before, afterGc: heapOfThisThread() };
}

const channel = new BroadcastChannel(CHANNEL);
channel.unref();

if (isMainThread) {
  let label = 0;
  process.on('SIGWINCH', () => {
    const id = ++label;
    const threads = [];
    const listener = (event) => {
      if (event.data && event.data.reply === id) threads.push(event.data.heap);
    };
    channel.onmessage = listener;
    channel.postMessage({ ask: id, collect: typeof global.gc === 'function' });
    // Threads answer between their tasks: give a busy workflow thread time.
    setTimeout(() => {
      const usage = process.memoryUsage();
      const main = {
        ...measure(true),
        memoryUsage: { rssMiB: mib(usage.rss), heapTotalMiB: mib(usage.heapTotal), heapUsedMiB: mib(usage.heapUsed), externalMiB: mib(usage.external), arrayBuffersMiB: mib(usage.arrayBuffers) },
      };
      const dir = process.env.MEMORY_PROBE_HEAPSNAPSHOT_DIR;
      if (dir) main.heapSnapshot = v8.writeHeapSnapshot(require('node:path').join(dir, `main-${process.pid}-${id}.heapsnapshot`));
      process.stdout.write(`${JSON.stringify({ msg: 'memory probe', label: id, main, threads })}\n`);
    }, 3000).unref();
  });
} else {
  channel.onmessage = (event) => {
    if (event.data && event.data.ask) channel.postMessage({ reply: event.data.ask, heap: measure(event.data.collect) });
  };
}
