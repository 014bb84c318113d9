/**
 * Preloaded into the service by `bench:steady -- --probe` (`node -r bench/latency-probe.js`):
 * the main thread's event-loop delay (perf_hooks.monitorEventLoopDelay) and its GC pauses,
 * appended as one JSON line to the file LATENCY_PROBE_FILE names when the process gets SIGWINCH
 * (then reset). Not SIGUSR2: the SDK's Runtime shuts the worker down on it (its default
 * `shutdownSignals`), so every action after the first probe answered 503 at its 30 s deadline.
 * Bench-only: nothing in the service loads it.
 */
'use strict';
// Node passes `-r` on to worker threads (the SDK's workflow thread): probe the main thread only.
if (require('node:worker_threads').isMainThread) {
const { appendFileSync } = require('node:fs');
const { monitorEventLoopDelay, PerformanceObserver } = require('node:perf_hooks');

const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
let gc = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gc.push(e.duration);
}).observe({ entryTypes: ['gc'] });

process.on('SIGWINCH', () => {
  const ms = (ns) => Math.round(ns / 1e5) / 10;
  const sorted = gc.slice().sort((a, b) => a - b);
  const q = (p) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] * 10) / 10 : 0);
  appendFileSync(
    process.env.LATENCY_PROBE_FILE,
    `${JSON.stringify({
      loopDelay: { p50: ms(loop.percentile(50)), p95: ms(loop.percentile(95)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
      gc: { count: sorted.length, totalMs: Math.round(sorted.reduce((a, b) => a + b, 0)), p99: q(0.99), max: q(1) },
    })}\n`,
  );
  loop.reset();
  gc = [];
});
}
