import { status as grpcStatus } from '@grpc/grpc-js';
import { EngineError, invalidArgument, notFound, requireString } from '../errors';
import { CrossWorkflow } from '../history/crossWorkflow';
import { Execution, attrsOf, type UpdateState } from '../history/execution';
import type { HistoryService } from '../history/historyService';
import { decodeToken } from '../history/tokens';
import { completeWorkflowTask, RejectedCompletion } from '../history/workflowTaskCompletion';
import type { Matching } from '../matching/taskQueues';
import type { NamespaceRegistry } from '../namespaces';
import { SYSTEM_SEARCH_ATTRIBUTES } from '../namespaces';
import { packAny, type Msg } from '../proto';
import type { Visibility } from '../visibility/visibility';
import type { CallContext, Handler } from './grpcServer';
import * as describeWorkflow from '../history/api/describeWorkflow';
import * as pollWorkflowExecutionUpdate from '../history/api/pollWorkflowExecutionUpdate';
import * as queryWorkflow from '../history/api/queryWorkflow';
import * as recordActivityTaskHeartbeat from '../history/api/recordActivityTaskHeartbeat';
import * as requestCancelWorkflow from '../history/api/requestCancelWorkflow';
import * as respondActivityTaskCanceled from '../history/api/respondActivityTaskCanceled';
import * as respondActivityTaskCompleted from '../history/api/respondActivityTaskCompleted';
import * as respondActivityTaskFailed from '../history/api/respondActivityTaskFailed';
import * as respondQueryTaskCompleted from '../history/api/respondQueryTaskCompleted';
import * as respondWorkflowTaskFailed from '../history/api/respondWorkflowTaskFailed';
import * as signalWorkflow from '../history/api/signalWorkflow';
import * as startWorkflow from '../history/api/startWorkflow';
import * as terminateWorkflow from '../history/api/terminateWorkflow';
import * as updateWorkflow from '../history/api/updateWorkflow';
import { returnActivityTask, runningActivity, runningActivityById } from '../history/activityTasks';
import { rerouteToNormalQueue } from '../history/workflowTasks';

export interface FrontendDeps {
  history: HistoryService;
  matching: Matching;
  namespaces: NamespaceRegistry;
  visibility: Visibility;
  stickyEnabled: boolean;
  serverVersion: string;
  /** How long `DescribeTaskQueue` lists a poller after its last poll (EngineOptions.pollerHistoryMs). */
  pollerHistoryMs: number;
}

/** Long polls answer empty this long before the caller's deadline. */
const POLL_MARGIN_MS = 1_000;
const MAX_POLL_MS = 60_000;

function pollWait(ctx: CallContext, max = MAX_POLL_MS): number {
  return Math.max(0, Math.min(ctx.remainingMs() - POLL_MARGIN_MS, max));
}

/**
 * Wraps the error of operation `failed` of a multi-operation as Temporal does: the same status,
 * with MultiOperationExecutionFailure details (the other operation marked aborted), which the
 * client unwraps into the failing operation's own error.
 */
function multiOperationError(err: unknown, failed: number): unknown {
  if (!(err instanceof EngineError)) return err;
  const own = { code: err.code, message: err.message, details: err.details ? [packAny(err.details.typeName, err.details.value)] : [] };
  const aborted = { code: grpcStatus.ABORTED, message: 'Operation was aborted.', details: [packAny('temporal.api.failure.v1.MultiOperationExecutionAborted', {})] };
  return new EngineError(err.code, err.message, {
    typeName: 'temporal.api.errordetails.v1.MultiOperationExecutionFailure',
    value: { statuses: failed === 0 ? [own, aborted] : [aborted, own] },
  });
}

/** The WorkflowService handlers: decode, validate, call history/matching/visibility. */
export function workflowServiceHandlers(deps: FrontendDeps): Record<string, Handler> {
  const { history, matching, namespaces, visibility } = deps;
  const cross = new CrossWorkflow(history);

  /** The run a request names; a closed run that left memory is read back from the store. */
  const run = async (req: Msg, execution: Msg | undefined): Promise<Execution> => {
    namespaces.get(req.namespace);
    const workflowId = requireString(execution?.workflowId, 'WorkflowId');
    await history.ensureLoaded(req.namespace, workflowId, execution?.runId || undefined);
    return history.getRun(req.namespace, workflowId, execution?.runId || undefined);
  };
  /** Before a start: the workflow id's current run must be in memory for the id reuse policy and request-id de-duplication. */
  const loadCurrent = async (namespace: string, workflowId: unknown): Promise<void> => {
    if (typeof workflowId === 'string' && workflowId) await history.ensureLoaded(namespace, workflowId);
  };

  type RunningActivity = ReturnType<typeof runningActivity>;
  /** The running activity a task token names; the namespace is checked first, as Temporal does (NamespaceNotFound before a bad token). */
  const activityByToken = (req: Msg): RunningActivity => {
    if (req.namespace) namespaces.get(req.namespace);
    return runningActivity(history, decodeToken(req.taskToken));
  };
  /** The running activity named by workflow and activity id (the `*ById` calls). */
  const activityById = (req: Msg): RunningActivity => {
    namespaces.get(req.namespace);
    return runningActivityById(history, req.namespace, requireString(req.workflowId, 'WorkflowId'), req.runId, requireString(req.activityId, 'ActivityId'));
  };
  /** Applies an activity's outcome and answers once it is stored. */
  const settleActivity = async (running: RunningActivity, apply: (exec: RunningActivity['exec'], act: RunningActivity['act']) => void): Promise<Msg> => {
    apply(running.exec, running.act);
    await history.flush();
    return {};
  };
  const pageToken = (buf: unknown): Msg => {
    if (!buf || !(buf instanceof Uint8Array) || buf.length === 0) return {};
    try {
      return JSON.parse(Buffer.from(buf).toString('utf8'));
    } catch {
      throw invalidArgument('invalid NextPageToken');
    }
  };
  const encodePageToken = (v: Msg) => Buffer.from(JSON.stringify(v), 'utf8');

  const handlers: Record<string, Handler> = {
    async GetSystemInfo() {
      return {
        serverVersion: deps.serverVersion,
        capabilities: {
          signalAndQueryHeader: true,
          internalErrorDifferentiation: true,
          activityFailureIncludeHeartbeat: true,
          supportsSchedules: false,
          encodedFailureAttributes: true,
          buildIdBasedVersioning: false,
          upsertMemo: true,
          eagerWorkflowStart: false,
          sdkMetadata: true,
          countGroupByExecutionStatus: true,
          nexus: false,
        },
      };
    },

    async DescribeNamespace(req) {
      const name = req.namespace || undefined;
      const ns = name ? namespaces.get(name) : namespaces.list().find((n) => n.id === req.id);
      if (!ns) throw notFound(`Namespace ${req.id ?? ''} is not found.`);
      return namespaces.describe(ns);
    },

    async RegisterNamespace(req) {
      await namespaces.register(req);
      return {};
    },

    async ListNamespaces(req) {
      const all = namespaces.list();
      const size = Number(req.pageSize) > 0 ? Number(req.pageSize) : 100;
      const start = Number(pageToken(req.nextPageToken).offset ?? 0);
      const page = all.slice(start, start + size);
      return {
        namespaces: page.map((ns) => namespaces.describe(ns)),
        nextPageToken: start + size < all.length ? encodePageToken({ offset: start + size }) : undefined,
      };
    },

    async GetSearchAttributes() {
      const keys: Msg = { ...SYSTEM_SEARCH_ATTRIBUTES };
      for (const ns of namespaces.list()) Object.assign(keys, ns.searchAttributes);
      return { keys };
    },

    async StartWorkflowExecution(req) {
      namespaces.get(req.namespace);
      visibility.validateSearchAttributes(req.namespace, req.searchAttributes);
      await loadCurrent(req.namespace, req.workflowId);
      const { exec, started } = startWorkflow.invoke(history, req.namespace, req);
      await history.flush();
      return { runId: exec.runId, started };
    },

    async SignalWithStartWorkflowExecution(req) {
      namespaces.get(req.namespace);
      requireString(req.signalName, 'SignalName');
      visibility.validateSearchAttributes(req.namespace, req.searchAttributes);
      await loadCurrent(req.namespace, req.workflowId);
      let exec = history.findRun(req.namespace, requireString(req.workflowId, 'WorkflowId'));
      let started = false;
      // The signal is de-duplicated with the start's request id, so a retried call signals once.
      // A new run gets it before its first workflow task is queued (a waiting poller takes that
      // task at once), so the first task carries it.
      let signalled = false;
      const signal = (run: Execution) => {
        signalWorkflow.invoke(history, run, { signalName: req.signalName, input: req.signalInput, identity: req.identity, header: req.header, links: req.links, requestId: req.requestId ? `${req.requestId}/signal` : undefined });
        signalled = true;
      };
      if (!exec || !exec.isOpen || req.workflowIdConflictPolicy === 'WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING') {
        ({ exec, started } = startWorkflow.invoke(history, req.namespace, { ...req, workflowIdConflictPolicy: req.workflowIdConflictPolicy ?? 'WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING' }, { beforeFirstTask: signal }));
      }
      if (!signalled) signal(exec);
      await history.flush();
      return { runId: exec.runId, started };
    },

    /** Update-with-start: exactly [startWorkflow, updateWorkflow], as the SDK sends it. */
    async ExecuteMultiOperation(req, ctx) {
      namespaces.get(req.namespace);
      const ops: Msg[] = req.operations ?? [];
      if (ops.length !== 2 || !ops[0].startWorkflow || !ops[1].updateWorkflow) {
        throw invalidArgument('ExecuteMultiOperation supports exactly two operations: startWorkflow then updateWorkflow');
      }
      const start: Msg = { ...ops[0].startWorkflow, namespace: req.namespace };
      const upd: Msg = ops[1].updateWorkflow;
      requireString(upd.request?.input?.name, 'Update name');
      if (!start.workflowIdConflictPolicy || start.workflowIdConflictPolicy === 'WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED') {
        throw invalidArgument('WorkflowIdConflictPolicy must be set for update-with-start');
      }
      if (upd.workflowExecution?.workflowId && upd.workflowExecution.workflowId !== start.workflowId) {
        throw invalidArgument('the update must target the workflow being started');
      }
      if (start.cronSchedule || start.workflowStartDelay) throw invalidArgument('update-with-start cannot use a cron schedule or a start delay');
      let exec: Execution;
      let started: boolean;
      // A new run's update is admitted before its first workflow task is queued: a poller already
      // waiting takes that task at once, and without the update in it the worker would need a
      // second task (1.2 workflow tasks per creation, issue 9).
      let admitted: UpdateState | undefined;
      try {
        visibility.validateSearchAttributes(req.namespace, start.searchAttributes);
        await loadCurrent(req.namespace, start.workflowId);
        ({ exec, started } = startWorkflow.invoke(history, req.namespace, start, { beforeFirstTask: (run) => (admitted = updateWorkflow.admit(history, run, upd)) }));
      } catch (err) {
        throw multiOperationError(err, 0);
      }
      // No write of the start on its own: it goes with its first workflow task's start, in the
      // poll's write (the worker is handed a task only once that write is durable), and nothing
      // is answered before the flush below. One store write less per creation (issue 9).
      let updateResponse: Msg;
      try {
        admitted ??= updateWorkflow.admit(history, exec, upd);
        updateResponse = await updateWorkflow.answer(history, exec, admitted, upd, pollWait(ctx, 20_000));
      } catch (err) {
        await history.flush();
        throw multiOperationError(err, 1);
      }
      // The start is durable before anyone learns of it, whatever stage the update reached
      // (an update that waited out its time without a worker answers with the run started).
      await history.flush();
      return {
        responses: [{ startWorkflow: { runId: exec.runId, started, status: exec.status } }, { updateWorkflow: updateResponse }],
      };
    },

    async PollWorkflowTaskQueue(req, ctx) {
      namespaces.get(req.namespace);
      const queue = requireString(req.taskQueue?.name, 'TaskQueue');
      const res = await matching.poll(req.namespace, 'workflow', queue, req, pollWait(ctx), ctx);
      await history.flush();
      // History the run no longer holds in memory (a non-sticky task) is read from the store.
      await history.cache.completeTaskHistory(res);
      return res ?? {};
    },

    async RespondWorkflowTaskCompleted(req) {
      const token = decodeToken(req.taskToken);
      const res = completeWorkflowTask(history, cross, token, req, deps.stickyEnabled);
      await history.flush();
      if (res instanceof RejectedCompletion) throw invalidArgument(res.message);
      return res;
    },

    async RespondWorkflowTaskFailed(req) {
      respondWorkflowTaskFailed.invoke(history, decodeToken(req.taskToken), req);
      await history.flush();
      return {};
    },

    async PollActivityTaskQueue(req, ctx) {
      namespaces.get(req.namespace);
      const queue = requireString(req.taskQueue?.name, 'TaskQueue');
      const res = await matching.poll(req.namespace, 'activity', queue, req, pollWait(ctx), ctx);
      // Never hand out an activity whose scheduling is not durable yet.
      if (res) await history.durable();
      // The caller left while the task was being handed over: queue it again for someone else.
      if (res && ctx.cancelled) {
        returnActivityTask(history, decodeToken(res.taskToken));
        return {};
      }
      return res ?? {};
    },

    async RecordActivityTaskHeartbeat(req) {
      const { exec, act } = activityByToken(req);
      return recordActivityTaskHeartbeat.invoke(history, exec, act, req.details);
    },

    async RecordActivityTaskHeartbeatById(req) {
      const { exec, act } = activityById(req);
      return recordActivityTaskHeartbeat.invoke(history, exec, act, req.details);
    },

    RespondActivityTaskCompleted: async (req) => settleActivity(activityByToken(req), (exec, act) => respondActivityTaskCompleted.invoke(history, exec, act, req)),
    RespondActivityTaskCompletedById: async (req) => settleActivity(activityById(req), (exec, act) => respondActivityTaskCompleted.invoke(history, exec, act, req)),
    RespondActivityTaskFailed: async (req) => settleActivity(activityByToken(req), (exec, act) => respondActivityTaskFailed.invoke(history, exec, act, req)),
    RespondActivityTaskFailedById: async (req) => settleActivity(activityById(req), (exec, act) => respondActivityTaskFailed.invoke(history, exec, act, req)),
    RespondActivityTaskCanceled: async (req) => settleActivity(activityByToken(req), (exec, act) => respondActivityTaskCanceled.invoke(history, exec, act, req)),
    RespondActivityTaskCanceledById: async (req) => settleActivity(activityById(req), (exec, act) => respondActivityTaskCanceled.invoke(history, exec, act, req)),

    async SignalWorkflowExecution(req) {
      requireString(req.signalName, 'SignalName');
      const exec = await run(req, req.workflowExecution);
      signalWorkflow.invoke(history, exec, req);
      await history.flush();
      return {};
    },

    async QueryWorkflow(req, ctx) {
      requireString(req.query?.queryType, 'QueryType');
      const exec = await run(req, req.execution);
      const queryPromise = queryWorkflow.invoke(history, exec, req);
      // Drop the query when the caller goes away, so time skipping is not held back by it.
      ctx.onCancel(() => {
        for (const [id, q] of exec.legacyQueries) if (q.query === req.query) queryWorkflow.forgetQuery(history, exec, id);
        if (exec.wt) for (const q of exec.wt.queries) if (q.query === req.query) queryWorkflow.forgetQuery(history, exec, q.id);
        for (const q of exec.waitingQueries) if (q.query === req.query) queryWorkflow.forgetQuery(history, exec, q.id);
      });
      return queryPromise;
    },

    async RespondQueryTaskCompleted(req) {
      respondQueryTaskCompleted.invoke(history, decodeToken(req.taskToken), req);
      return {};
    },

    async UpdateWorkflowExecution(req, ctx) {
      requireString(req.request?.input?.name, 'Update name');
      const exec = await run(req, req.workflowExecution);
      return updateWorkflow.invoke(history, exec, req, pollWait(ctx, 20_000));
    },

    async PollWorkflowExecutionUpdate(req, ctx) {
      const ref = req.updateRef ?? {};
      const exec = await run(req, ref.workflowExecution);
      return pollWorkflowExecutionUpdate.invoke(history, exec, requireString(ref.updateId, 'UpdateId'), req.waitPolicy?.lifecycleStage, pollWait(ctx));
    },

    async DescribeWorkflowExecution(req) {
      return describeWorkflow.invoke(history, await run(req, req.execution));
    },

    async RequestCancelWorkflowExecution(req) {
      const exec = await run(req, req.workflowExecution);
      if (req.firstExecutionRunId && exec.firstExecutionRunId !== req.firstExecutionRunId) throw notFound('workflow execution not found for this first execution run id');
      requestCancelWorkflow.invoke(history, exec, req);
      await history.flush();
      return {};
    },

    async TerminateWorkflowExecution(req) {
      const exec = await run(req, req.workflowExecution);
      if (req.firstExecutionRunId && exec.firstExecutionRunId !== req.firstExecutionRunId) throw notFound('workflow execution not found for this first execution run id');
      terminateWorkflow.invoke(history, exec, req);
      await history.flush();
      return {};
    },

    async GetWorkflowExecutionHistory(req, ctx) {
      const exec = await run(req, req.execution);
      const closeOnly = req.historyEventFilterType === 'HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT';
      const token = pageToken(req.nextPageToken);
      if (closeOnly) {
        if (req.waitNewEvent) await history.waitForEvents(exec, () => !exec.isOpen, pollWait(ctx));
        const close = history.closeEvent(exec);
        return close ? { history: { events: [close] } } : { history: { events: [] }, nextPageToken: encodePageToken({ close: true }) };
      }
      const from = Number(token.next ?? 1);
      if (req.waitNewEvent) await history.waitForEvents(exec, () => exec.eventCount >= from || !exec.isOpen, pollWait(ctx));
      const size = Number(req.maximumPageSize) > 0 ? Number(req.maximumPageSize) : 1000;
      const events = await history.readHistory(exec, from, Math.min(exec.eventCount, from + size - 1));
      const next = from + events.length;
      const more = next <= exec.eventCount || (req.waitNewEvent && exec.isOpen);
      return { history: { events }, nextPageToken: more ? encodePageToken({ next }) : undefined, archived: false };
    },

    async GetWorkflowExecutionHistoryReverse(req) {
      const exec = await run(req, req.execution);
      const token = pageToken(req.nextPageToken);
      const last = Number(token.last ?? exec.eventCount);
      const size = Number(req.maximumPageSize) > 0 ? Number(req.maximumPageSize) : 1000;
      const first = Math.max(1, last - size + 1);
      const events = (await history.readHistory(exec, first, last)).reverse();
      return { history: { events }, nextPageToken: first > 1 ? encodePageToken({ last: first - 1 }) : undefined };
    },

    async ResetStickyTaskQueue(req) {
      const exec = await run(req, req.execution);
      exec.sticky = undefined;
      return {};
    },

    async ShutdownWorker(req) {
      namespaces.get(req.namespace);
      const sticky: string | undefined = req.stickyTaskQueue;
      if (sticky) {
        for (const exec of history.runs.values()) {
          if (exec.sticky?.queueName !== sticky) continue;
          exec.sticky = undefined;
          // A task waiting on the dead sticky queue moves to the normal queue.
          if (exec.wt && exec.wt.startedEventId === undefined && exec.wt.sticky) rerouteToNormalQueue(history, exec);
        }
      }
      // The worker is going away: its outstanding polls end now, so no task is handed to a dead poller.
      if (req.workerInstanceKey) matching.completePolls((p) => p.workerInstanceKey === req.workerInstanceKey);
      else if (req.identity) matching.completePolls((p) => p.identity === req.identity && (!req.taskQueue || p.taskQueue?.name === req.taskQueue || p.taskQueue?.normalName === req.taskQueue));
      return {};
    },

    async ListWorkflowExecutions(req) {
      namespaces.get(req.namespace);
      return visibility.list(req.namespace, req.query ?? '', Number(req.pageSize) || 1000, req.nextPageToken);
    },

    async ListOpenWorkflowExecutions(req) {
      namespaces.get(req.namespace);
      return visibility.list(req.namespace, 'ExecutionStatus = "Running"', Number(req.maximumPageSize) || 1000, req.nextPageToken);
    },

    async ListClosedWorkflowExecutions(req) {
      namespaces.get(req.namespace);
      return visibility.list(req.namespace, 'ExecutionStatus != "Running"', Number(req.maximumPageSize) || 1000, req.nextPageToken);
    },

    async ScanWorkflowExecutions(req) {
      namespaces.get(req.namespace);
      return visibility.list(req.namespace, req.query ?? '', Number(req.pageSize) || 1000, req.nextPageToken);
    },

    async CountWorkflowExecutions(req) {
      namespaces.get(req.namespace);
      return visibility.count(req.namespace, req.query ?? '');
    },

    async DescribeTaskQueue(req) {
      namespaces.get(req.namespace);
      const name = requireString(req.taskQueue?.name, 'TaskQueue');
      const kind = req.taskQueueType === 'TASK_QUEUE_TYPE_ACTIVITY' ? 'activity' : 'workflow';
      const recent = matching.hasRecentPoller(req.namespace, kind, name, deps.pollerHistoryMs);
      return { pollers: recent ? [{ identity: 'worker', lastAccessTime: { seconds: Math.floor(Date.now() / 1000) }, ratePerSecond: 100000 }] : [] };
    },
  };
  void attrsOf;
  return handlers;
}
