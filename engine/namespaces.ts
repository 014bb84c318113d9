import { randomUUID } from 'node:crypto';
import { alreadyExists, invalidArgument, notFound, requireString } from './errors';
import type { EngineStore, NamespaceRecord } from './persistence/store';
import { durationToMs, msToDuration, type Msg } from './proto';

/** Search attributes every namespace has (Temporal's system attributes people filter on). */
export const SYSTEM_SEARCH_ATTRIBUTES: Record<string, string> = {
  WorkflowId: 'INDEXED_VALUE_TYPE_KEYWORD',
  WorkflowType: 'INDEXED_VALUE_TYPE_KEYWORD',
  RunId: 'INDEXED_VALUE_TYPE_KEYWORD',
  ExecutionStatus: 'INDEXED_VALUE_TYPE_KEYWORD',
  StartTime: 'INDEXED_VALUE_TYPE_DATETIME',
  CloseTime: 'INDEXED_VALUE_TYPE_DATETIME',
  ExecutionTime: 'INDEXED_VALUE_TYPE_DATETIME',
  TaskQueue: 'INDEXED_VALUE_TYPE_KEYWORD',
  HistoryLength: 'INDEXED_VALUE_TYPE_INT',
  ParentWorkflowId: 'INDEXED_VALUE_TYPE_KEYWORD',
  TemporalChangeVersion: 'INDEXED_VALUE_TYPE_KEYWORD_LIST',
  BinaryChecksums: 'INDEXED_VALUE_TYPE_KEYWORD_LIST',
  BuildIds: 'INDEXED_VALUE_TYPE_KEYWORD_LIST',
};

/** Custom attributes pre-registered like the dev server does, so SDK tests can use them. */
const DEFAULT_CUSTOM_ATTRIBUTES: Record<string, string> = {
  CustomKeywordField: 'INDEXED_VALUE_TYPE_KEYWORD',
  CustomStringField: 'INDEXED_VALUE_TYPE_TEXT',
  CustomTextField: 'INDEXED_VALUE_TYPE_TEXT',
  CustomIntField: 'INDEXED_VALUE_TYPE_INT',
  CustomDatetimeField: 'INDEXED_VALUE_TYPE_DATETIME',
  CustomDoubleField: 'INDEXED_VALUE_TYPE_DOUBLE',
  CustomBoolField: 'INDEXED_VALUE_TYPE_BOOL',
};

// True: ShutdownWorker answers the worker's outstanding polls at once (workflowService.ts), so a
// shutting-down worker neither waits a whole poll nor loses a task handed to a dead poll.
const POLL_COMPLETE_ON_SHUTDOWN = process.env.ENGINE_POLL_COMPLETE_ON_SHUTDOWN !== '0';

/** The namespaces of the engine, written through the store. */
/**
 * Payload size limits, as Temporal's dynamic config `limit.blobSize.error` / `limit.memoSize.error`
 * (default 2 MiB each). Advertised in DescribeNamespace (workers then refuse larger payloads
 * themselves) and enforced on workflow-task completions.
 */
export interface PayloadLimits {
  blobSizeError: number;
  memoSizeError: number;
}

export const DEFAULT_PAYLOAD_LIMITS: PayloadLimits = { blobSizeError: 2 * 1024 * 1024, memoSizeError: 2 * 1024 * 1024 };

export class NamespaceRegistry {
  private readonly byName = new Map<string, NamespaceRecord>();

  constructor(
    private readonly store: EngineStore,
    readonly limits: PayloadLimits = DEFAULT_PAYLOAD_LIMITS,
  ) {}

  async load(): Promise<void> {
    for (const ns of await this.store.listNamespaces()) this.byName.set(ns.name, ns);
  }

  /** Registers `name` if unknown, with `retentionDays` (default 1, as the dev server's namespaces). */
  async ensure(name: string, retentionDays = 1): Promise<void> {
    if (this.byName.has(name)) return;
    const ns: NamespaceRecord = { name, id: randomUUID(), retentionDays, searchAttributes: { ...DEFAULT_CUSTOM_ATTRIBUTES } };
    this.byName.set(name, ns);
    await this.store.saveNamespace(ns);
  }

  /** The namespace, or NOT_FOUND as Temporal answers for an unknown one. */
  get(name: unknown): NamespaceRecord {
    const n = requireString(name, 'Namespace');
    const ns = this.byName.get(n);
    if (!ns) throw notFound(`Namespace ${n} is not found.`, { typeName: 'temporal.api.errordetails.v1.NamespaceNotFoundFailure', value: { namespace: n } });
    return ns;
  }

  list(): NamespaceRecord[] {
    return [...this.byName.values()];
  }

  async register(req: Msg): Promise<void> {
    const name = requireString(req.namespace, 'Namespace');
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/.test(name)) throw invalidArgument(`Namespace name "${name}" is invalid`);
    if (this.byName.has(name)) throw alreadyExists('Namespace already exists.');
    const retentionMs = durationToMs(req.workflowExecutionRetentionPeriod);
    const ns: NamespaceRecord = {
      name,
      id: randomUUID(),
      description: req.description,
      ownerEmail: req.ownerEmail,
      retentionDays: retentionMs > 0 ? Math.max(1, Math.round(retentionMs / 86_400_000)) : 1,
      data: req.data,
      searchAttributes: { ...DEFAULT_CUSTOM_ATTRIBUTES },
    };
    this.byName.set(name, ns);
    await this.store.saveNamespace(ns);
  }

  async addSearchAttributes(namespace: string, attrs: Record<string, string>): Promise<void> {
    const ns = this.get(namespace);
    for (const [k, t] of Object.entries(attrs)) {
      if (SYSTEM_SEARCH_ATTRIBUTES[k]) throw invalidArgument(`Search attribute ${k} is reserved by system.`);
      if (ns.searchAttributes[k] && ns.searchAttributes[k] !== t) throw alreadyExists(`Search attribute ${k} already exists.`);
      ns.searchAttributes[k] = t;
    }
    await this.store.saveNamespace(ns);
  }

  async removeSearchAttributes(namespace: string, names: string[]): Promise<void> {
    const ns = this.get(namespace);
    for (const k of names) delete ns.searchAttributes[k];
    await this.store.saveNamespace(ns);
  }

  /** The DescribeNamespaceResponse shape. */
  describe(ns: NamespaceRecord): Msg {
    return {
      namespaceInfo: {
        name: ns.name,
        state: 'NAMESPACE_STATE_REGISTERED',
        description: ns.description ?? '',
        ownerEmail: ns.ownerEmail ?? '',
        data: ns.data ?? {},
        id: ns.id,
        // workerPollCompleteOnShutdown stays false: true makes worker shutdown wait a whole poll.
        capabilities: { eagerWorkflowStart: false, syncUpdate: true, asyncUpdate: true, workerPollCompleteOnShutdown: POLL_COMPLETE_ON_SHUTDOWN },
        limits: { blobSizeLimitError: this.limits.blobSizeError, memoSizeLimitError: this.limits.memoSizeError },
        supportsSchedules: false,
      },
      config: {
        workflowExecutionRetentionTtl: msToDuration(ns.retentionDays * 86_400_000),
        historyArchivalState: 'ARCHIVAL_STATE_DISABLED',
        visibilityArchivalState: 'ARCHIVAL_STATE_DISABLED',
      },
      replicationConfig: { activeClusterName: 'active', clusters: [{ clusterName: 'active' }], state: 'REPLICATION_STATE_NORMAL' },
      isGlobalNamespace: false,
    };
  }
}
