/**
 * The work-order workflow: one durable run per work order (工单), workflow id = work-order number.
 *
 * The rules live in {@link WorkOrderLifecycle} (workflows/lifecycle.ts); this file wires them to
 * Temporal:
 * - every actor action is an update (workflows/messages.ts) whose validator checks the rule
 *   without changing anything, so a refused action is rejected at once with a typed
 *   `ApplicationFailure` and leaves no trace in history;
 * - every deadline and urge point is a timer: the main loop sleeps (a cancellable `condition`
 *   with a timeout) until the next one or until an action moves it;
 * - what happened is persisted in order by one pump, one local activity and one transaction per
 *   batch (timeline, read-model snapshot, 督办 records, notification rows) inside the same
 *   workflow task, after which the update answers, so the API's lists show what it just did;
 *   webhooks are sent alongside as ordinary activities (their retries must not hold up the
 *   timeline);
 * - a creation is answered by {@link createdStateUpdate} sent with the start;
 * - the history is bounded: after `continueAsNewAfterEvents` events (or when Temporal suggests
 *   it) the run continues as new, carrying the state.
 *
 * Why deadlines are computed here, from the calendar data in the input, and not in an activity:
 * the input is part of the history, so a replay recomputes exactly the same deadlines with no
 * I/O, every deadline is known the instant the action is applied (the update can answer with
 * it), and an edit of the calendar (a new holiday) or of the profile never changes a running
 * work order's past; it applies to work orders created after it. The one exception is a year's
 * official holiday schedule replacing provisional days (`calendarUpdate`): it arrives as an
 * update, so it is in the history too.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { WorkOrderActivities } from '../activities';
import { actionNames, WorkOrderLifecycle, type ActionName, type Outbox } from './lifecycle';
import {
  calendarUpdate,
  callbackUpdate,
  contactUpdate,
  createdStateUpdate,
  dispatchUpdate,
  expertRulingUpdate,
  extensionRequestUpdate,
  extensionReviewUpdate,
  instructionUpdate,
  preBriefUpdate,
  replyReviewUpdate,
  replyUpdate,
  returnRequestUpdate,
  returnReviewUpdate,
  signUpdate,
  stateQuery,
  superviseUpdate,
  withdrawUpdate,
} from './messages';
import { storing } from './storable';
import type { CalendarUpdateResult, NotificationRequest, WorkOrderInput, WorkOrderOutcome, WorkOrderState } from './types';

/** Default history length after which a run continues as new. */
export const DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 2000;

// The database must be reachable eventually: keep retrying, at most a minute apart.
const { recordOutbox, recordEvents, openSupervision, closeSupervision } = proxyActivities<WorkOrderActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// The same recording as a local activity (issue 9): it runs inside the workflow task that
// produced the batch, so an action or an escalation costs one workflow task and no activity task
// (no ActivityTaskScheduled/Started/Completed events, no second task to read the result). It is
// as durable: the task completes, and the update answers, only after the transaction committed;
// a worker crash before that retries the task, and the activity again (every write is keyed).
// Retries back off locally up to 10 s apart, beyond that with a durable timer (the SDK's
// `localRetryThreshold`), as long as the database is down.
const { recordOutbox: recordOutboxInTask } = proxyLocalActivities<WorkOrderActivities>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// A unit's webhook may be down for a while: retry for about a day, then give up (the outbox
// row stays readable through the API).
const { deliverWebhooks, notify } = proxyActivities<WorkOrderActivities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

const updates = {
  preBrief: preBriefUpdate,
  instruction: instructionUpdate,
  dispatch: dispatchUpdate,
  returnReview: returnReviewUpdate,
  extensionReview: extensionReviewUpdate,
  replyReview: replyReviewUpdate,
  callback: callbackUpdate,
  expertRuling: expertRulingUpdate,
  withdraw: withdrawUpdate,
  supervise: superviseUpdate,
  sign: signUpdate,
  returnRequest: returnRequestUpdate,
  contact: contactUpdate,
  extensionRequest: extensionRequestUpdate,
  reply: replyUpdate,
} as const satisfies Record<ActionName, unknown>;

/**
 * Runs one work order from intake to close or withdrawal.
 *
 * @param input the intake, the work-order id, the resolved SLA profile and the calendar data
 *   (see {@link WorkOrderInput}); `carried` only when continued as new
 * @returns how it ended
 */
export async function workOrderWorkflow(input: WorkOrderInput): Promise<WorkOrderOutcome> {
  // State first, handlers next, then the first await (handlers never see an uninitialised state).
  const wo = input.carried
    ? WorkOrderLifecycle.resume({ ...input, carried: input.carried })
    : WorkOrderLifecycle.create(input, Date.now());
  const pending: Outbox[] = [];
  let persistedSeq = input.carried ? input.carried.seq : 0;
  let pumping = false;
  let notifying = 0;

  const collect = () => {
    const out = wo.drain();
    if (out.events.length || out.notifications.length || out.supervisionOpens.length || out.supervisionCloses.length) {
      pending.push(out);
    }
  };

  // Histories recorded before the one-transaction outbox replay with the single-purpose activities.
  const outboxInOneTransaction = patched('outbox-in-one-transaction');
  // Histories recorded before the outbox ran as a local activity replay with the activity.
  const recordOutboxNow = outboxInOneTransaction && patched('outbox-local-activity') ? recordOutboxInTask : recordOutbox;

  setHandler(stateQuery, (): WorkOrderState => wo.state);
  // The creation's answer: the first state, once recorded (also any later state, recorded).
  setHandler(createdStateUpdate, async (): Promise<WorkOrderState> => {
    const seq = wo.state.seq;
    await condition(() => persistedSeq >= seq);
    return wo.state;
  });

  for (const name of actionNames) {
    setHandler(
      updates[name] as typeof signUpdate,
      async (args): Promise<WorkOrderState> => {
        const now = Date.now();
        // Whatever fell due before this instant happened first; an action at its deadline's very
        // instant is in time (the validator decided with the same rule).
        wo.tick(now - 1);
        wo.apply(name, args, now);
        collect();
        const seq = wo.state.seq;
        await condition(() => persistedSeq >= seq);
        return wo.state;
      },
      { validator: (args) => wo.check(name, args, Date.now()) },
    );
  }

  // A year's official schedule: provisional deadlines depending on it are counted again. The
  // calendar arrives in the update's arguments, so it is in the history and a replay agrees.
  setHandler(
    calendarUpdate,
    async (update): Promise<CalendarUpdateResult> => {
      const now = Date.now();
      wo.tick(now - 1);
      const changes = wo.applyCalendar(update, now);
      collect();
      const seq = wo.state.seq;
      await condition(() => persistedSeq >= seq);
      return { workOrderId: wo.state.workOrderId, changes };
    },
    { validator: (update) => wo.checkCalendar(update) },
  );

  collect();
  void persist();

  const limit = input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS;
  const historyFull = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= limit;
  // Every accepted action finished, everything persisted, every notification settled.
  const quiet = () => allHandlersFinished() && pending.length === 0 && !pumping && notifying === 0;
  // The clock keeps running while a full history waits for quiet (a webhook may retry for hours).
  const readyToContinue = () => historyFull() && quiet();

  while (!wo.finished && !readyToContinue()) {
    wo.tick(Date.now());
    collect();
    if (wo.finished) break;
    const wake = wo.nextWakeAt();
    // Wake when the next deadline or urge point comes, when an action moved it, or to continue.
    const moved = () => wo.finished || wo.nextWakeAt() !== wake || readyToContinue();
    if (wake === undefined) await condition(moved);
    else await condition(moved, Math.max(1, wake - Date.now()));
  }

  // Let every accepted action finish and everything be persisted before ending this run.
  await condition(quiet);

  if (!wo.finished) {
    log.info('continuing as new', { workOrderId: input.workOrderId, historyLength: workflowInfo().historyLength });
    // The calendar as updated so far (a later run must count on the imported years too).
    return continueAsNew<typeof workOrderWorkflow>({ ...input, calendar: wo.calendarData, carried: wo.state });
  }
  return {
    workOrderId: wo.state.workOrderId,
    stage: wo.state.stage as 'closed' | 'withdrawn',
    closedAt: wo.state.closedAt!,
    reason: wo.state.closeReason,
  };

  /**
   * Persists outboxes in order, forever (this run). Each batch is one activity and one
   * PostgreSQL transaction (timeline, read model, 督办 records, notification rows); webhooks go
   * out alongside, only for notifications to units that have one (their retries must not hold
   * up the timeline).
   */
  async function persist(): Promise<void> {
    for (;;) {
      await condition(() => pending.length > 0);
      pumping = true;
      const batch = pending.splice(0);
      const events = batch.flatMap((b) => b.events);
      const notifications = batch.flatMap((b) => b.notifications);
      let webhooks: NotificationRequest[] = [];
      try {
        if (outboxInOneTransaction) {
          const recorded = await storing(recordOutboxNow, {
            workOrderId: wo.state.workOrderId,
            events,
            snapshot: wo.snapshot(),
            notifications,
            supervisionOpens: batch.flatMap((b) => b.supervisionOpens),
            supervisionCloses: batch.flatMap((b) => b.supervisionCloses),
          });
          webhooks = notifications.filter((n) => recorded.webhooks.includes(n.key));
        } else {
          await persistOneByOne(batch, events);
          webhooks = notifications;
        }
      } catch (error) {
        // Retries are unlimited and unstorable input is repaired (storing), so this is a
        // cancellation or a bug: keep the run alive and the timeline moving.
        log.error('persisting work-order events failed', { error: String(error) });
      }
      for (const n of webhooks) {
        notifying++;
        (outboxInOneTransaction ? storing(deliverWebhooks, n) : storing(notify, n))
          .catch((error) => log.warn('notification not delivered', { key: n.key, error: String(error) }))
          .finally(() => notifying--);
      }
      if (events.length) persistedSeq = Math.max(persistedSeq, events[events.length - 1].seq);
      pumping = false;
    }
  }

  /** The pump of histories recorded before `outbox-in-one-transaction`: one activity per record. */
  async function persistOneByOne(batch: Outbox[], events: Outbox['events']): Promise<void> {
    if (events.length) {
      await storing(recordEvents, { workOrderId: wo.state.workOrderId, events, snapshot: wo.snapshot() });
    }
    for (const b of batch) {
      for (const s of b.supervisionOpens) await storing(openSupervision, s);
      for (const s of b.supervisionCloses) await storing(closeSupervision, s);
    }
  }
}
