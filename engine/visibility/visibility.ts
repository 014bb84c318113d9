import { invalidArgument } from '../errors';
import type { NamespaceRegistry } from '../namespaces';
import { SYSTEM_SEARCH_ATTRIBUTES } from '../namespaces';
import type { EngineStore, VisibilityRecord } from '../persistence/store';
import { msToTimestamp, type Msg } from '../proto';
import { evaluate, parseQuery, type RowValue, type Value } from './query';

const METADATA_TYPES: Record<string, string> = {
  INDEXED_VALUE_TYPE_TEXT: 'Text',
  INDEXED_VALUE_TYPE_KEYWORD: 'Keyword',
  INDEXED_VALUE_TYPE_INT: 'Int',
  INDEXED_VALUE_TYPE_DOUBLE: 'Double',
  INDEXED_VALUE_TYPE_BOOL: 'Bool',
  INDEXED_VALUE_TYPE_DATETIME: 'Datetime',
  INDEXED_VALUE_TYPE_KEYWORD_LIST: 'KeywordList',
};

const STATUS_NAMES: Record<string, string> = {
  running: 'WORKFLOW_EXECUTION_STATUS_RUNNING',
  completed: 'WORKFLOW_EXECUTION_STATUS_COMPLETED',
  failed: 'WORKFLOW_EXECUTION_STATUS_FAILED',
  canceled: 'WORKFLOW_EXECUTION_STATUS_CANCELED',
  terminated: 'WORKFLOW_EXECUTION_STATUS_TERMINATED',
  continuedasnew: 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW',
  timedout: 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT',
};

/** The names visibility shows for statuses (`ExecutionStatus = "Running"`). */
const STATUS_LABELS: Record<string, string> = {
  WORKFLOW_EXECUTION_STATUS_RUNNING: 'Running',
  WORKFLOW_EXECUTION_STATUS_COMPLETED: 'Completed',
  WORKFLOW_EXECUTION_STATUS_FAILED: 'Failed',
  WORKFLOW_EXECUTION_STATUS_CANCELED: 'Canceled',
  WORKFLOW_EXECUTION_STATUS_TERMINATED: 'Terminated',
  WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW: 'ContinuedAsNew',
  WORKFLOW_EXECUTION_STATUS_TIMED_OUT: 'TimedOut',
};

/**
 * Visibility: the list/count rows of every run and the query language over them. Rows of runs in
 * memory (every open run, recently closed ones) are made from their state when a query asks
 * (`resident`: holding a copy of each row cost every open run about a kilobyte); rows of closed
 * runs that left memory are read from the store's persisted rows per query.
 */
export class Visibility {
  constructor(
    private readonly namespaces: NamespaceRegistry,
    private readonly store?: Pick<EngineStore, 'listClosedVisibility'>,
    /** Rows of the runs in memory of a namespace, as last written to the store. */
    private readonly resident: (namespace: string) => VisibilityRecord[] = () => [],
  ) {}

  /** Rows of a namespace: in-memory ones, plus persisted rows of closed runs not in memory. */
  private async rowsOf(namespace: string): Promise<VisibilityRecord[]> {
    const rows = this.resident(namespace);
    if (!this.store) return rows;
    const inMemory = new Set(rows.map((r) => r.runKey));
    for (const r of await this.store.listClosedVisibility(namespace)) if (!inMemory.has(r.runKey)) rows.push(r);
    return rows;
  }

  /**
   * Checks search attributes against the namespace's types (INVALID_ARGUMENT for unknown names
   * or non-JSON values) and stamps each payload's `type` metadata as the server does, so SDKs
   * decode them by type (Datetime values become Dates).
   */
  typeSearchAttributes(namespace: string, sa: Msg | undefined): Msg | undefined {
    if (!sa?.indexedFields) return sa;
    const types = this.namespaces.get(namespace).searchAttributes;
    const indexedFields: Msg = {};
    for (const [name, payload] of Object.entries(sa.indexedFields as Msg)) {
      const type = types[name] ?? SYSTEM_SEARCH_ATTRIBUTES[name];
      if (!type) throw invalidArgument(`search attribute ${name} is not defined`);
      decodePayload(payload as Msg, name);
      indexedFields[name] = { ...(payload as Msg), metadata: { ...((payload as Msg).metadata ?? {}), type: Buffer.from(METADATA_TYPES[type] ?? 'Keyword') } };
    }
    return { ...sa, indexedFields };
  }

  /** Validation only (see {@link typeSearchAttributes}). */
  validateSearchAttributes(namespace: string, sa: Msg | undefined): void {
    this.typeSearchAttributes(namespace, sa);
  }

  async list(namespace: string, query: string, pageSize: number, nextPageToken: unknown): Promise<Msg> {
    const matched = await this.query(namespace, query);
    const offset = nextPageToken instanceof Uint8Array && nextPageToken.length > 0 ? Number(Buffer.from(nextPageToken).toString()) || 0 : 0;
    const page = matched.slice(offset, offset + pageSize);
    return {
      executions: page.map((r) => this.info(r)),
      nextPageToken: offset + pageSize < matched.length ? Buffer.from(String(offset + pageSize)) : undefined,
    };
  }

  /** CountWorkflowExecutions, with `GROUP BY ExecutionStatus` (the grouping Temporal supports). */
  async count(namespace: string, query: string): Promise<Msg> {
    const parsed = parseQuery(query);
    const rows = await this.query(namespace, query);
    if (parsed.groupBy.length === 0) return { count: rows.length };
    if (parsed.groupBy.length !== 1 || parsed.groupBy[0] !== 'ExecutionStatus') {
      throw invalidArgument('invalid query: GROUP BY supports ExecutionStatus only');
    }
    const order = Object.values(STATUS_NAMES);
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    const groups = [...counts.entries()]
      .sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]))
      .map(([status, count]) => ({
        groupValues: [{ metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from('Keyword') }, data: Buffer.from(JSON.stringify(STATUS_LABELS[status] ?? status)) }],
        count,
      }));
    return { count: rows.length, groups };
  }

  private async query(namespace: string, text: string): Promise<VisibilityRecord[]> {
    const parsed = parseQuery(text);
    const types = { ...SYSTEM_SEARCH_ATTRIBUTES, ...this.namespaces.get(namespace).searchAttributes };
    const known = (field: string) => {
      if (!types[field]) throw invalidArgument(`invalid query: unknown search attribute ${field}`);
      return types[field];
    };
    const normalise = (field: string, v: Value): Value => {
      const type = known(field);
      if (field === 'ExecutionStatus') {
        const name = STATUS_NAMES[String(v).toLowerCase().replace(/[_\s]/g, '')];
        if (!name) throw invalidArgument(`invalid query: unknown ExecutionStatus ${v}`);
        return name;
      }
      if (type === 'INDEXED_VALUE_TYPE_DATETIME') {
        const ms = typeof v === 'number' ? v / 1e6 : Date.parse(String(v));
        if (Number.isNaN(ms)) throw invalidArgument(`invalid query: ${field} needs a date, got ${v}`);
        return ms;
      }
      if (type === 'INDEXED_VALUE_TYPE_INT' || type === 'INDEXED_VALUE_TYPE_DOUBLE') {
        const n = Number(v);
        if (Number.isNaN(n)) throw invalidArgument(`invalid query: ${field} needs a number, got ${v}`);
        return n;
      }
      if (type === 'INDEXED_VALUE_TYPE_BOOL') return typeof v === 'boolean' ? v : String(v).toLowerCase() === 'true';
      return String(v);
    };
    const walk = (e: typeof parsed.where): void => {
      if (!e) return;
      if (e.kind === 'and' || e.kind === 'or') {
        walk(e.left);
        walk(e.right);
      } else if (e.kind === 'not') {
        walk(e.expr);
      } else if ('field' in e) {
        known(e.field);
      }
    };
    walk(parsed.where);
    for (const o of parsed.orderBy) known(o.field);

    const rows = await this.rowsOf(namespace);
    const matched = parsed.where ? rows.filter((r) => evaluate(parsed.where!, (f) => fieldOf(r, f, types[f]), normalise)) : rows;
    const order = parsed.orderBy.length > 0 ? parsed.orderBy : [{ field: 'StartTime', desc: true }];
    matched.sort((a, b) => {
      for (const o of order) {
        const x = fieldOf(a, o.field, types[o.field]);
        const y = fieldOf(b, o.field, types[o.field]);
        if (x === y) continue;
        if (x === undefined) return 1;
        if (y === undefined) return -1;
        const c = x < y ? -1 : 1;
        return o.desc ? -c : c;
      }
      return a.runKey < b.runKey ? -1 : 1;
    });
    return matched;
  }

  /** The WorkflowExecutionInfo shape of a row. */
  info(r: VisibilityRecord): Msg {
    return {
      execution: { workflowId: r.workflowId, runId: r.runId },
      type: { name: r.workflowType },
      startTime: msToTimestamp(r.startTime),
      closeTime: r.closeTime !== undefined ? msToTimestamp(r.closeTime) : undefined,
      status: r.status,
      historyLength: r.historyLength,
      historySizeBytes: r.historySizeBytes,
      executionTime: msToTimestamp(r.executionTime),
      memo: r.memo,
      searchAttributes: r.searchAttributes,
      taskQueue: r.taskQueue,
      parentExecution: r.parentWorkflowId ? { workflowId: r.parentWorkflowId, runId: r.parentRunId } : undefined,
      rootExecution: r.rootWorkflowId ? { workflowId: r.rootWorkflowId, runId: r.rootRunId } : undefined,
    };
  }
}

function fieldOf(r: VisibilityRecord, field: string, type: string | undefined): RowValue {
  switch (field) {
    case 'WorkflowId':
      return r.workflowId;
    case 'WorkflowType':
      return r.workflowType;
    case 'RunId':
      return r.runId;
    case 'ExecutionStatus':
      return r.status;
    case 'StartTime':
      return r.startTime;
    case 'CloseTime':
      return r.closeTime;
    case 'ExecutionTime':
      return r.executionTime;
    case 'TaskQueue':
      return r.taskQueue;
    case 'HistoryLength':
      return r.historyLength;
    case 'ParentWorkflowId':
      return r.parentWorkflowId;
  }
  const payload = r.searchAttributes?.indexedFields?.[field];
  if (!payload) return undefined;
  let v: unknown;
  try {
    v = decodePayload(payload, field);
  } catch {
    return undefined;
  }
  const conv = (x: unknown): string | number | boolean => {
    if (type === 'INDEXED_VALUE_TYPE_DATETIME') return Date.parse(String(x));
    if (type === 'INDEXED_VALUE_TYPE_INT' || type === 'INDEXED_VALUE_TYPE_DOUBLE') return Number(x);
    if (type === 'INDEXED_VALUE_TYPE_BOOL') return Boolean(x);
    return String(x);
  };
  return Array.isArray(v) ? v.map(conv) : v === null || v === undefined ? undefined : conv(v);
}

/** Search attribute payloads are JSON (`json/plain`). */
function decodePayload(payload: Msg, name: string): unknown {
  try {
    const data = payload?.data ? Buffer.from(payload.data).toString('utf8') : 'null';
    return JSON.parse(data);
  } catch {
    throw invalidArgument(`search attribute ${name} has a value that is not JSON`);
  }
}
