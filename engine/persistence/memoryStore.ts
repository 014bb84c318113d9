import type { Msg } from '../proto';
import type { DerivedUpdate, EngineStore, RunStateSnapshot, NamespaceRecord, RunRecord, StoredRun, StoredRunHead, VisibilityRecord } from './store';

const RUNNING = 'WORKFLOW_EXECUTION_STATUS_RUNNING';

/** The in-memory {@link EngineStore}: state lives as long as the process. */
export class MemoryStore implements EngineStore {
  private readonly namespaces = new Map<string, NamespaceRecord>();
  private readonly runs = new Map<string, { record: RunRecord; events: Msg[]; state?: Msg }>();
  private readonly visibility = new Map<string, VisibilityRecord>();

  async saveNamespace(ns: NamespaceRecord): Promise<void> {
    this.namespaces.set(ns.name, { ...ns });
  }

  async listNamespaces(): Promise<NamespaceRecord[]> {
    return [...this.namespaces.values()];
  }

  async createRun(run: RunRecord, events: Msg[], visibility: VisibilityRecord, runState?: RunStateSnapshot): Promise<void> {
    if (this.runs.has(run.runKey)) throw new Error(`run ${run.runKey} already stored`);
    this.runs.set(run.runKey, { record: structuredClone(run), events: [] });
    await this.appendEvents(run.runKey, events, { visibility, runState });
  }

  async appendEvents(runKey: string, events: Msg[], derived: DerivedUpdate): Promise<void> {
    const run = this.runs.get(runKey);
    if (!run) throw new Error(`run ${runKey} not stored`);
    if (events.length > 0 && events[0].eventId !== run.events.length + 1) {
      throw new Error(`run ${runKey}: event ${events[0].eventId} does not follow ${run.events.length}`);
    }
    run.events.push(...structuredClone(events));
    if (derived.visibility) this.visibility.set(runKey, { ...derived.visibility });
    // Snapshots are copied so later in-memory changes cannot leak into "stored" state.
    if (derived.runState) run.state = structuredClone(derived.runState) as unknown as Msg;
  }

  async readRunState(runKey: string): Promise<Msg | undefined> {
    const state = this.runs.get(runKey)?.state;
    return state ? structuredClone(state) : undefined;
  }

  async readEvents(runKey: string, fromEventId = 1): Promise<Msg[]> {
    return structuredClone(this.runs.get(runKey)?.events.slice(fromEventId - 1) ?? []);
  }

  async listRuns(): Promise<RunRecord[]> {
    return [...this.runs.values()].map((r) => r.record);
  }

  async listVisibility(namespace: string): Promise<VisibilityRecord[]> {
    return [...this.visibility.values()].filter((v) => v.namespace === namespace);
  }

  async listClosedVisibility(namespace: string): Promise<VisibilityRecord[]> {
    return [...this.visibility.values()].filter((v) => v.namespace === namespace && v.status !== RUNNING);
  }

  async loadOpenRuns(): Promise<StoredRun[]> {
    const out: StoredRun[] = [];
    for (const [runKey, run] of this.runs) if (this.visibility.get(runKey)?.status === RUNNING) out.push((await this.loadRun(runKey))!);
    return out;
  }

  async *openRunHeads(): AsyncIterable<StoredRunHead[]> {
    const heads: StoredRunHead[] = [];
    for (const [runKey, run] of this.runs) {
      if (this.visibility.get(runKey)?.status !== RUNNING) continue;
      heads.push({
        run: structuredClone(run.record),
        lastEventId: run.events.length,
        firstEvent: !run.record.start && run.events[0] ? structuredClone(run.events[0]) : undefined,
        state: run.state ? structuredClone(run.state) : undefined,
      });
    }
    yield heads;
  }

  async loadRun(runKey: string): Promise<StoredRun | undefined> {
    const run = this.runs.get(runKey);
    if (!run) return undefined;
    return { run: run.record, events: structuredClone(run.events), state: run.state ? structuredClone(run.state) : undefined };
  }

  async latestRunKey(namespace: string, workflowId: string): Promise<string | undefined> {
    let latest: string | undefined;
    // Map order is creation order.
    for (const run of this.runs.values()) if (run.record.namespace === namespace && run.record.workflowId === workflowId) latest = run.record.runKey;
    return latest;
  }

  async latestEventTime(): Promise<number | undefined> {
    let latest: number | undefined;
    for (const v of this.visibility.values()) latest = Math.max(latest ?? 0, v.closeTime ?? 0, v.startTime);
    return latest;
  }

  async deleteClosedRuns(namespace: string, closedBefore: number): Promise<string[]> {
    const deleted: string[] = [];
    for (const [runKey, v] of this.visibility) {
      if (v.namespace !== namespace || v.status === RUNNING || v.closeTime === undefined || v.closeTime >= closedBefore) continue;
      this.visibility.delete(runKey);
      this.runs.delete(runKey);
      deleted.push(runKey);
    }
    return deleted;
  }
}
