-- Up Migration
-- The work-order read model. Written ONLY by the workflow's activities (activities/), idempotently,
-- so an activity retried after a crash changes nothing the second time. The API reads it for
-- lists, notifications and reports; the live state of one work order comes from the workflow's
-- state query (workflows/messages.ts `stateQuery`), of which `work_orders.state` is a snapshot.
--
-- Times are timestamptz. Unit ids are the ids of `units` (0001) but carry no foreign key: the
-- workflow is the source of truth and its activities must never fail on a directory edit.

-- One row per work order (工单), upserted with every batch of events. `last_seq` orders snapshots:
-- a retried, older batch never overwrites a newer one.
CREATE TABLE work_orders (
  id text PRIMARY KEY,                       -- the work-order number = the workflow id
  stage text NOT NULL,                       -- domain/workorder.ts Stage (closed / withdrawn are terminal)
  classification text NOT NULL,              -- immediate (即办) / dispatch (转办) / leadership (批办)
  category text NOT NULL,                    -- consultation / help / complaint / report / suggestion / praise
  urgency text NOT NULL,                     -- normal / urgent
  channel text NOT NULL,
  main_unit_id text,                         -- current main unit (主办), null before dispatch
  co_unit_ids text[] NOT NULL DEFAULT '{}',  -- current co-units (协办)
  -- Every unit the work order was ever dispatched to (main or co), for "my work orders" lists and
  -- per-unit scoring of returns; a unit's own access is decided by the API from main/co above.
  unit_ids text[] NOT NULL DEFAULT '{}',
  confidential boolean NOT NULL,             -- 举报 (001): caller identity hidden from units
  caller_name text NOT NULL,                 -- never shown to units when confidential; phone never to units
  caller_phone text NOT NULL,
  summary text NOT NULL,
  address text,
  profile_id text NOT NULL,                  -- the SLA profile the workflow runs under
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  closed_at timestamptz,                     -- set when stage becomes closed or withdrawn
  first_dispatched_at timestamptz,
  -- Deadlines for "overdue" and "due within" filters:
  sign_deadline timestamptz,                 -- the main unit's sign deadline (current dispatch)
  completion_deadline timestamptz,           -- the main unit's completion deadline (after extensions)
  next_deadline timestamptz,                 -- earliest deadline among obligations still pending
  -- true while an obligation has missed its deadline and is still not done (逾期). Due within
  -- X: next_deadline <= now() + X. Overdue: overdue OR next_deadline < now().
  overdue boolean NOT NULL DEFAULT false,
  -- For rates (三率一度) and scores; null until known.
  signed_on_time boolean,                    -- main unit signed by the sign deadline
  first_contact_on_time boolean,             -- main unit's first contact (先行联系) by its deadline
  completed_on_time boolean,                 -- main unit's (last) reply by the completion deadline
  extended boolean NOT NULL DEFAULT false,   -- an extension (延期) was approved
  result_type text,                          -- last reply's result type (003)
  satisfaction text,                         -- last callback's (or the expert's final) satisfaction
  resolved boolean,                          -- last callback: resolved?
  satisfaction_exclusion text,               -- 004 第十八条 exclusion, if any
  re_handle_count integer NOT NULL DEFAULT 0,-- 重办 count
  escalation_level text,                     -- highest escalation reached: urge / supervise / ...
  last_seq integer NOT NULL,                 -- seq of the last event folded into this row
  state jsonb NOT NULL                       -- workflows/types.ts WorkOrderState at last_seq
);
CREATE INDEX work_orders_stage_idx ON work_orders (stage);
CREATE INDEX work_orders_main_unit_idx ON work_orders (main_unit_id);
CREATE INDEX work_orders_unit_ids_idx ON work_orders USING gin (unit_ids);
CREATE INDEX work_orders_co_unit_ids_idx ON work_orders USING gin (co_unit_ids);
CREATE INDEX work_orders_created_idx ON work_orders (created_at);
CREATE INDEX work_orders_next_deadline_idx ON work_orders (next_deadline) WHERE closed_at IS NULL;

-- The timeline: who did what when. Append-only; (work_order_id, seq) is the idempotency key, seq
-- counts from 1 per work order (continued across continue-as-new).
CREATE TABLE work_order_events (
  work_order_id text NOT NULL REFERENCES work_orders (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  at timestamptz NOT NULL,                   -- workflow time of the event
  type text NOT NULL,                        -- workflows/types.ts TimelineEntry.type, e.g. signed, urged
  actor_user_id text,                        -- null for events the clock caused (urges, escalations)
  actor_role text,                           -- center / unit / supervisor / admin / system
  actor_unit_id text,
  unit_id text,                              -- the unit the event concerns, if any
  detail jsonb NOT NULL DEFAULT '{}'::jsonb, -- the action's fields (never the caller's phone)
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (work_order_id, seq)
);
CREATE INDEX work_order_events_type_at_idx ON work_order_events (type, at);
CREATE INDEX work_order_events_unit_idx ON work_order_events (unit_id, at);

-- The notification outbox every unit (and the center, and supervisors) can read. One row per
-- recipient. `id` is the idempotency key: <work order>:<event seq>:<kind>:<recipient>.
CREATE TABLE notifications (
  id text PRIMARY KEY,
  work_order_id text NOT NULL,
  audience text NOT NULL CHECK (audience IN ('unit', 'center', 'supervisors')),
  unit_id text,                              -- the unit addressed when audience = 'unit'
  -- newWorkOrder / urge / escalation / supervision / returnReviewed / extensionReviewed /
  -- replySentBack / reHandle / expertReminder / expertWithdrawn / withdrawn / closed /
  -- returnRequested / extensionRequested / replySubmitted
  kind text NOT NULL,
  payload jsonb NOT NULL,                    -- no caller identity, no phone
  created_at timestamptz NOT NULL,
  read_at timestamptz,
  -- Webhook delivery (HMAC-SHA256 signed POST to units.webhook_url), retried by the activity.
  webhook_delivered_at timestamptz,
  webhook_attempts integer NOT NULL DEFAULT 0,
  webhook_last_error text,
  CHECK ((audience = 'unit') = (unit_id IS NOT NULL))
);
CREATE INDEX notifications_unit_idx ON notifications (unit_id, created_at);
CREATE INDEX notifications_audience_idx ON notifications (audience, created_at);
CREATE INDEX notifications_work_order_idx ON notifications (work_order_id);

-- 督办 records (001: every 督办 is recorded). Opened by an escalation or by hand; closed when the
-- work order closes or is withdrawn. `id` is the idempotency key: <work order>:<event seq>.
CREATE TABLE supervision_records (
  id text PRIMARY KEY,
  work_order_id text NOT NULL,
  unit_id text,                              -- the unit supervised (null: the whole work order)
  level text NOT NULL,                       -- the ladder step, e.g. supervise (督办), onSite (现场督办)
  trigger text NOT NULL,                     -- missedDeadline / overdueAfterExtension / repeatedReHandle / urgedTwice / manual / ...
  clock text,                                -- the clock whose deadline was missed, if any
  reason text NOT NULL,
  opened_at timestamptz NOT NULL,
  opened_by text,                            -- user id, null when the clock opened it
  closed_at timestamptz,
  close_reason text
);
CREATE INDEX supervision_records_work_order_idx ON supervision_records (work_order_id);
CREATE INDEX supervision_records_unit_idx ON supervision_records (unit_id, opened_at);
CREATE INDEX supervision_records_open_idx ON supervision_records (opened_at) WHERE closed_at IS NULL;

-- Down Migration
DROP TABLE supervision_records;
DROP TABLE notifications;
DROP TABLE work_order_events;
DROP TABLE work_orders;
