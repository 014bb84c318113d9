/**
 * Work orders through their workflows: create (start), act (updates), read (state query).
 * Each work order is one workflow whose id is the work-order number (workflows/messages.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { status as grpcStatus } from '@grpc/grpc-js';
import { isGrpcDeadlineError, WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { workOrderWorkflow } from '../../workflows/workOrder';
import type { Pool } from 'pg';
import { terminalStages, type Actor, type Intake } from '../../domain/workorder';
import {
  RULES_VERSION,
  TASK_QUEUE,
  WORKFLOW_TYPE,
  createdStateUpdate,
  stateQuery,
  type WorkOrderInput,
  type WorkOrderState,
} from '../../workflows/messages';
import type { AuthUser } from '../http/auth';
import { HttpError, fromWorkflowError, notFound } from '../http/errors';
import { creationSettings } from '../hotline/repository';
import { unknownUnitIds } from '../units/repository';
import { workOrderActions, type WorkOrderActionName } from './actions';
import { applyAction } from './applyAction';
import { claimNewWorkOrder, snapshot } from './repository';
import { unitMayAccess } from './view';

export interface TicketServiceDeps {
  temporal: Client;
  pool: Pool;
  /** The engine's clock in sandbox mode, else wall time. */
  now: () => Date;
  /** How long one call to a workflow may take before the API answers 503 (default 30 s). */
  workflowTimeoutMs?: number;
}

/** One state-query attempt's deadline (see TicketService.queryState). */
const QUERY_ATTEMPT_MS = 3_000;

export const actorOf = (user: AuthUser): Actor => ({
  userId: user.id,
  role: user.role,
  ...(user.unitId ? { unitId: user.unitId } : {}),
});

/** Stable JSON (sorted keys) so the same request always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

type UnitFields = Record<string, string | string[] | undefined>;

/** Every unit id the fields name. */
const unitIdsOf = (fields: UnitFields): string[] => Object.values(fields).flatMap((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

/**
 * Unit ids named in a body that are not active units → 400 naming the field. `activeUnitIds`:
 * which of them are active, when already read (a creation reads it with its settings).
 */
async function checkUnitFields(pool: Pool, fields: UnitFields, activeUnitIds?: ReadonlySet<string>): Promise<void> {
  const issues = [];
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const ids = Array.isArray(value) ? value : [value];
    const unknown = activeUnitIds ? ids.filter((id) => !activeUnitIds.has(id)) : await unknownUnitIds(pool, ids);
    for (const id of unknown) {
      const index = Array.isArray(value) ? `.${value.indexOf(id)}` : '';
      issues.push({ path: `body.${field}${index}`, message: `unknown unit '${id}'`, code: 'unknown_unit' });
    }
  }
  if (issues.length) throw new HttpError(400, 'INVALID_INPUT', `invalid input: ${issues.map((i) => i.path).join(', ')}`, issues);
}

const isAlreadyStarted = (error: unknown): boolean =>
  error instanceof WorkflowExecutionAlreadyStartedError || (error as Error)?.name === 'WorkflowExecutionAlreadyStartedError';

/** The server does not know update-with-start (gRPC UNIMPLEMENTED, or the feature switched off). */
function isUnimplemented(error: unknown): boolean {
  for (let e = error as { code?: number; cause?: unknown; message?: string } | undefined; e; e = e.cause as typeof e) {
    if (e.code === grpcStatus.UNIMPLEMENTED) return true;
    if (typeof e.message === 'string' && /ExecuteMultiOperation.*(disabled|not enabled|unimplemented)/i.test(e.message)) return true;
  }
  return false;
}

export class TicketService {
  constructor(private readonly deps: TicketServiceDeps) {}

  /** Runs a workflow call under a deadline: a stuck worker must not hold an HTTP request forever. */
  private timed<T>(fn: () => Promise<T>): Promise<T> {
    return this.deps.temporal.withDeadline(Date.now() + (this.deps.workflowTimeoutMs ?? 30_000), fn);
  }

  /**
   * Creates a work order and starts its workflow. With an idempotency key, the same user sending
   * the same body again gets the same work order (`created: false`); a different body under a
   * used key is refused with 422.
   */
  async create(user: AuthUser, intake: Intake, idempotencyKey?: string): Promise<{ state: WorkOrderState; created: boolean }> {
    const { pool } = this.deps;
    const now = this.deps.now();
    const unitFields = { mainUnitId: intake.mainUnitId, coUnitIds: intake.coUnitIds };
    // The profile, the calendar and which named units are active in one query, rebuilt only when
    // a setting changed (issue 9). The calendar is never missing: a year without a published
    // schedule is provisional (issue 10).
    const { profile, calendar, activeUnitIds } = await creationSettings(pool, now, unitIdsOf(unitFields));
    await checkUnitFields(pool, unitFields, activeUnitIds);
    let created = true;
    // Without a key of the caller's, the API claims one of its own, so a 503 can name the key a
    // retry must carry to create this work order at most once (issue 11).
    const key = idempotencyKey ?? `auto-${randomUUID()}`;
    const hash = createHash('sha256').update(canonical(intake)).digest('hex');
    const claim = await claimNewWorkOrder(pool, now, user.id, key, hash);
    const workOrderId = claim.workOrderId;
    if (!claim.claimed) {
      if (!claim.sameRequest) {
        throw new HttpError(422, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request');
      }
      created = false;
      // The first request may have died before starting the workflow: start it if missing.
      const existing = await this.tryState(workOrderId).catch(async (error: unknown) => {
        throw await this.slowCreation(error, claim.workOrderId, key);
      });
      if (existing) return { state: existing, created };
    }
    const input: WorkOrderInput = {
      workOrderId,
      intake,
      createdBy: actorOf(user),
      profile,
      calendar,
      rulesVersion: RULES_VERSION,
    };
    try {
      return { state: await this.startAndAnswer(input), created };
    } catch (error) {
      throw await this.slowCreation(error, workOrderId, key);
    }
  }

  /**
   * A creation that did not answer in time: the 503 says whether the work order exists
   * (`applied`, omitted when the engine cannot tell), its number, and the key whose retry
   * creates it at most once.
   */
  private async slowCreation(error: unknown, workOrderId: string, idempotencyKey: string): Promise<unknown> {
    const mapped = fromWorkflowError(error);
    if (mapped?.status !== 503) return error;
    let applied: boolean | undefined;
    try {
      await this.deps.temporal.withDeadline(Date.now() + 2_000, () => this.deps.temporal.workflow.getHandle(workOrderId).describe());
      applied = true;
    } catch (describeError) {
      if (fromWorkflowError(describeError)?.status === 404) applied = false;
    }
    const message =
      applied === true
        ? `work order ${workOrderId} was created but has not answered yet; retry with the same Idempotency-Key to get it (it will not be created twice)`
        : applied === false
          ? 'the work order was not created in time; a retry with the same Idempotency-Key creates it at most once'
          : 'the engine could not say whether the work order was created; a retry with the same Idempotency-Key creates it at most once';
    return new HttpError(503, mapped.type, message, undefined, { ...(applied === undefined ? {} : { applied }), workOrderId, idempotencyKey });
  }

  /**
   * Starts the workflow and answers its first recorded state in one call: update-with-start
   * (the start and {@link createdStateUpdate} in one request; the update rides on the first
   * workflow task). A server without update-with-start (Temporal before 1.26, or with
   * `frontend.enableExecuteMultiOperation` off) gets the start followed by the same update.
   * Either way no state query has to wait for the first workflow task.
   */
  private async startAndAnswer(input: WorkOrderInput): Promise<WorkOrderState> {
    const { temporal } = this.deps;
    const start = {
      taskQueue: TASK_QUEUE,
      workflowId: input.workOrderId,
      args: [input] as [WorkOrderInput],
      // A work-order number is never reused, even after the work order closed.
      workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    };
    try {
      return await this.timed(() =>
        temporal.workflow.executeUpdateWithStart(createdStateUpdate, {
          startWorkflowOperation: new WithStartWorkflowOperation<typeof workOrderWorkflow>(WORKFLOW_TYPE, {
            ...start,
            // A retried creation (same Idempotency-Key) finds it running and reads its state.
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        }),
      );
    } catch (error) {
      if (!isUnimplemented(error)) {
        // Closed already (即办 retried): the start is refused; read what was recorded.
        if (isAlreadyStarted(error)) return this.state(input.workOrderId);
        throw error;
      }
    }
    try {
      await this.timed(() => temporal.workflow.start(WORKFLOW_TYPE, start));
    } catch (error) {
      if (!isAlreadyStarted(error)) throw error;
    }
    try {
      return await this.timed(() => temporal.workflow.getHandle(input.workOrderId).executeUpdate(createdStateUpdate));
    } catch (error) {
      // It finished before the update arrived (即办 closes at once): read what was recorded.
      if (fromWorkflowError(error)?.status === 404) return this.state(input.workOrderId);
      throw error;
    }
  }

  /** The live state, or the read model's last snapshot when the workflow cannot be queried. */
  async state(id: string): Promise<WorkOrderState> {
    const state = await this.tryState(id);
    if (!state) throw notFound('work order');
    return state;
  }

  /** Queries in flight per work order: one at a time (see {@link queryState}). */
  private readonly queries = new Map<string, Promise<unknown>>();

  /**
   * The state query, one at a time per work order, each attempt under a short deadline and
   * retried within the overall one. Why: concurrent queries to a workflow whose first task has
   * not run yet were observed to go unanswered on the project's engine, and a query can also be
   * lost to a worker restart; a lost query must cost seconds, not the request.
   */
  private queryState(id: string): Promise<WorkOrderState> {
    const previous = this.queries.get(id) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(async () => {
      const until = Date.now() + (this.deps.workflowTimeoutMs ?? 30_000);
      const handle = this.deps.temporal.workflow.getHandle(id);
      for (;;) {
        const attemptUntil = Math.min(until, Date.now() + QUERY_ATTEMPT_MS);
        try {
          return await this.deps.temporal.withDeadline(attemptUntil, () => handle.query(stateQuery));
        } catch (error) {
          if (!isGrpcDeadlineError(error) || attemptUntil >= until) throw error;
        }
      }
    });
    this.queries.set(id, run);
    return run.finally(() => {
      if (this.queries.get(id) === run) this.queries.delete(id);
    });
  }

  private async tryState(id: string): Promise<WorkOrderState | undefined> {
    try {
      return await this.queryState(id);
    } catch (error) {
      const mapped = fromWorkflowError(error);
      if (mapped?.status === 404) return snapshot(this.deps.pool, id);
      throw error;
    }
  }

  /** The state as `user` may see it exist: units get 404 for work orders not theirs. */
  async stateFor(user: AuthUser, id: string): Promise<WorkOrderState> {
    if (user.role === 'unit') {
      // A unit asking for another unit's work order is refused from the read model, without
      // a workflow query (cheap, and no slower under load than the list it came from). The
      // row is written before any action answers, so a unit just assigned is already in it.
      const recorded = await snapshot(this.deps.pool, id);
      if (recorded && !unitMayAccess(user, recorded.mainUnitId, recorded.coUnitIds)) throw notFound('work order');
    }
    const state = await this.state(id);
    if (!unitMayAccess(user, state.mainUnitId, state.coUnitIds)) throw notFound('work order');
    return state;
  }

  /**
   * Performs an actor action as a workflow update; the workflow decides and refuses with a typed
   * failure (→ 409). Units must be main or co-unit of the work order (else 404). With an
   * idempotency key the update has a stable id, so a retried request is applied once.
   *
   * One round trip: the update's result is the new state. A unit's access is not checked by a
   * query first: the workflow accepts a unit's action only from a unit assigned to it, so any
   * success is allowed; on any failure the unit's access is checked against the state before
   * the answer says anything about the work order (404, no leak of its stage or existence).
   */
  async act(
    user: AuthUser,
    id: string,
    name: WorkOrderActionName,
    body: Record<string, unknown>,
    idempotencyKey?: string,
  ): Promise<WorkOrderState> {
    await checkUnitFields(this.deps.pool, {
      mainUnitId: body.mainUnitId as string | undefined,
      coUnitIds: body.coUnitIds as string[] | undefined,
      nextMainUnitId: body.nextMainUnitId as string | undefined,
      nextCoUnitIds: body.nextCoUnitIds as string[] | undefined,
    });
    const action = workOrderActions[name];
    const handle = this.deps.temporal.workflow.getHandle(id);
    try {
      // The same key again (a retry after a timeout) is the same update: applied once.
      return await applyAction<WorkOrderState>(this.deps.temporal, handle, {
        update: action.update as never,
        args: { ...body, actor: actorOf(user) },
        name,
        userId: user.id,
        idempotencyKey,
        until: Date.now() + (this.deps.workflowTimeoutMs ?? 30_000),
      });
    } catch (error) {
      const mapped = fromWorkflowError(error);
      // A refusal or an unknown work order: a unit learns nothing unless it is on the work order.
      if (user.role === 'unit' && mapped && (mapped.status === 404 || mapped.status === 409)) {
        const state = await this.tryState(id);
        if (!state || !unitMayAccess(user, state.mainUnitId, state.coUnitIds)) throw notFound('work order');
      }
      // Temporal answers NotFound for an update to a workflow that has completed: the work order
      // exists but is closed, which is the workflow's own WORK_ORDER_CLOSED refusal.
      if (mapped?.status === 404) {
        const state = await this.tryState(id);
        if (state && terminalStages.includes(state.stage)) {
          throw new HttpError(409, 'WORK_ORDER_CLOSED', `work order ${id} is ${state.stage}`);
        }
      }
      throw error;
    }
  }
}
