/**
 * Where an action's latency goes, from the service's own Prometheus histograms (`GET /metrics`):
 * the API's request duration and the Temporal SDK worker's task, activation, local-activity and
 * gRPC latencies. Read before and after a phase; {@link histogramsBetween} prints each
 * histogram's growth as count, mean and the bucket bounds of its p50 and p99 (issue 9: which
 * step makes the tail of a steady action).
 */
import type { Http } from './scale-support';

interface Histogram {
  /** Upper bounds (`le`) in the exporter's unit, ascending, with their cumulative counts. */
  buckets: Array<[number, number]>;
  sum: number;
  count: number;
}

/** The histograms worth reading for one workflow task per action, by a short name. */
const WANTED: Array<[RegExp, string]> = [
  [/^hotline_http_request_duration_seconds_(bucket|sum|count)\{.*route="\/tickets\/:id\/sign".*status="200"/, 'API sign (s)'],
  [/^temporal_workflow_task_schedule_to_start_latency_(bucket|sum|count)/, 'workflow task schedule→start'],
  [/^temporal_workflow_task_execution_latency_(bucket|sum|count)/, 'workflow task execution'],
  [/^temporal_workflow_activation_execution_latency_(bucket|sum|count)/, 'activation execution'],
  [/^temporal_workflow_task_replay_latency_(bucket|sum|count)/, 'workflow task replay'],
  [/^temporal_local_activity_execution_latency_(bucket|sum|count)/, 'local activity execution'],
  [/^temporal_request_latency_(bucket|sum|count)\{.*operation="RespondWorkflowTaskCompleted"/, 'RespondWorkflowTaskCompleted'],
  [/^temporal_long_request_latency_(bucket|sum|count)\{.*operation="PollWorkflowTaskQueue"/, 'PollWorkflowTaskQueue (long poll)'],
];

/** The wanted histograms as the service exports them now (labels other than `le` summed). */
export async function readHistograms(http: Http, adminToken: string): Promise<Map<string, Histogram>> {
  const out = new Map<string, Histogram>();
  const r = await http.request('GET', '/metrics', adminToken);
  if (r.status !== 200 || typeof r.body !== 'string') return out;
  for (const line of r.body.split('\n')) {
    for (const [pattern, name] of WANTED) {
      const m = pattern.exec(line);
      if (!m) continue;
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      const h = out.get(name) ?? { buckets: [], sum: 0, count: 0 };
      out.set(name, h);
      if (m[1] === 'sum') h.sum += value;
      else if (m[1] === 'count') h.count += value;
      else {
        const le = /le="([^"]+)"/.exec(line)?.[1];
        const bound = le === '+Inf' ? Infinity : Number(le);
        const at = h.buckets.find(([b]) => b === bound);
        if (at) at[1] += value;
        else h.buckets.push([bound, value]);
      }
    }
  }
  for (const h of out.values()) h.buckets.sort((a, b) => a[0] - b[0]);
  return out;
}

/** The smallest bucket bound holding quantile `q` of the observations between two readings. */
function quantileBound(a: Histogram | undefined, b: Histogram, q: number): number {
  const count = b.count - (a?.count ?? 0);
  for (const [bound, cumulative] of b.buckets) {
    const before = a?.buckets.find(([x]) => x === bound)?.[1] ?? 0;
    if (cumulative - before >= q * count) return bound;
  }
  return Infinity;
}

/** One line per histogram that grew: `name: n, mean m, p50 ≤ x, p99 ≤ y` (the exporter's unit). */
export function histogramsBetween(a: Map<string, Histogram>, b: Map<string, Histogram>): string[] {
  const lines: string[] = [];
  for (const [, name] of WANTED) {
    const after = b.get(name);
    const before = a.get(name);
    const n = (after?.count ?? 0) - (before?.count ?? 0);
    if (!after || n <= 0) continue;
    const mean = (after.sum - (before?.sum ?? 0)) / n;
    const fmt = (x: number) => (Number.isFinite(x) ? String(+x.toPrecision(3)) : '∞');
    lines.push(`${name}: ${n}, mean ${fmt(mean)}, p50 ≤ ${fmt(quantileBound(before, after, 0.5))}, p99 ≤ ${fmt(quantileBound(before, after, 0.99))}`);
  }
  return lines;
}
