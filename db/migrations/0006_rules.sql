-- Up Migration
-- Issue 12: 专业评价员 (002 三(一)) are people of their own role; every time a caller's phone is
-- shown to a person it is recorded (who, when, which work order) for the admins to list.

ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('center', 'unit', 'supervisor', 'admin', 'evaluator'));

CREATE TABLE phone_reveals (
  id bigserial PRIMARY KEY,
  user_id text NOT NULL,
  role text NOT NULL,
  unit_id text,
  work_order_id text NOT NULL,
  -- Which call showed it: 'ticket' (one work order), 'list', 'action', 'events'.
  via text NOT NULL,
  revealed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX phone_reveals_work_order_idx ON phone_reveals (work_order_id, id);
CREATE INDEX phone_reveals_user_idx ON phone_reveals (user_id, id);

-- Scored events a supervisor enters with a reason (000 附件2 四.4–六: no stored fact shows them).
CREATE TABLE scored_events (
  id bigserial PRIMARY KEY,
  unit_id text NOT NULL REFERENCES units (id),
  event text NOT NULL,
  at timestamptz NOT NULL,
  reason text NOT NULL,
  work_order_id text,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX scored_events_at_idx ON scored_events (at);

-- Down Migration
DROP TABLE scored_events;
DROP TABLE phone_reveals;
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('center', 'unit', 'supervisor', 'admin'));
