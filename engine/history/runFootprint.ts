import type { Msg } from '../proto';
import type { Execution } from './execution';

/**
 * What the open runs in memory hold, counted by structure (not bytes): resident events, byte
 * arrays that are views into a larger buffer, and how many distinct objects they hold for values
 * that are usually equal. For diagnostics and tests (issue 9: a run created live must hold no
 * more than one rebuilt at start-up).
 */
export interface RunFootprint {
  openRuns: number;
  /** Open runs with any event resident, and the events they hold. */
  openRunsWithEvents: number;
  residentEvents: number;
  /**
   * Byte arrays the open runs hold outside their resident events that do not own their memory:
   * views into a larger buffer (the gRPC request they were decoded from, or a slice of Node's
   * shared allocation pool), which keep all of it alive.
   */
  borrowedByteArrays: number;
  /** Distinct objects among the open runs that have one, per kind of value. */
  distinct: { startHeader: number; taskQueue: number; searchAttributes: number; memo: number; sticky: number };
}

/** The {@link RunFootprint} of `runs` (only the open ones count). */
export function runFootprint(runs: Iterable<Execution>): RunFootprint {
  const kinds = { startHeader: new Set<unknown>(), taskQueue: new Set<unknown>(), searchAttributes: new Set<unknown>(), memo: new Set<unknown>(), sticky: new Set<unknown>() };
  const out: RunFootprint = { openRuns: 0, openRunsWithEvents: 0, residentEvents: 0, borrowedByteArrays: 0, distinct: { startHeader: 0, taskQueue: 0, searchAttributes: 0, memo: 0, sticky: 0 } };
  for (const exec of runs) {
    if (!exec.isOpen) continue;
    out.openRuns++;
    if (exec.events.length > 0) out.openRunsWithEvents++;
    out.residentEvents += exec.events.length;
    const held: unknown[] = [exec.startedAttrs, exec.searchAttributes, exec.memo, exec.sticky, exec.startUserMetadata, [...exec.timers.values()], [...exec.activities.values()].map((a) => a.attrs)];
    for (const value of held) out.borrowedByteArrays += borrowed(value, 0);
    const note = (set: Set<unknown>, value: unknown) => value !== undefined && set.add(value);
    note(kinds.startHeader, exec.startedAttrs.header);
    note(kinds.taskQueue, exec.startedAttrs.taskQueue);
    if (Object.keys(exec.searchAttributes?.indexedFields ?? {}).length > 0) note(kinds.searchAttributes, exec.searchAttributes);
    if (Object.keys(exec.memo?.fields ?? {}).length > 0) note(kinds.memo, exec.memo);
    note(kinds.sticky, exec.sticky);
  }
  for (const k of Object.keys(kinds) as Array<keyof typeof kinds>) out.distinct[k] = kinds[k].size;
  return out;
}

/** Byte arrays in `value` that are views into a larger buffer. */
function borrowed(value: unknown, depth: number): number {
  if (value instanceof Uint8Array) return value.byteLength !== value.buffer.byteLength ? 1 : 0;
  if (value === null || typeof value !== 'object' || depth > 12) return 0;
  let n = 0;
  for (const v of Object.values(value as Msg)) n += borrowed(v, depth + 1);
  return n;
}
