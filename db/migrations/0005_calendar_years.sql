-- Up Migration
-- The working calendar beyond the holiday library's data (issue 10).

-- A year's official schedule as an administrator imported it (the State Council notice pasted,
-- or JSON / CSV of its dates). Only such a row, or the library, makes a year official; the
-- hotline's own calendar_exceptions (0001) still win over it. Replacing a year needs an explicit
-- replace and keeps what was replaced, and by whom.
CREATE TABLE calendar_official_years (
  year integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2200),
  holidays date[] NOT NULL,                  -- every day off of the schedule
  make_up_workdays date[] NOT NULL,          -- 调休上班 weekend days
  source text NOT NULL CHECK (source IN ('notice', 'json', 'csv')),
  notice_text text,                          -- the pasted notice, as imported (source = notice)
  version integer NOT NULL DEFAULT 1,        -- 1, then +1 per replacement
  imported_at timestamptz NOT NULL,
  imported_by text NOT NULL,                 -- user id
  replaced jsonb                             -- the previous version ({version, holidays, makeUpWorkdays, source, importedAt, importedBy}), null for the first
);

-- Notifications for administrators (the calendar is running out) carry no work order.
ALTER TABLE notifications ALTER COLUMN work_order_id DROP NOT NULL;
ALTER TABLE notifications DROP CONSTRAINT notifications_audience_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_audience_check CHECK (audience IN ('unit', 'center', 'supervisors', 'admins'));

-- Down Migration
DELETE FROM notifications WHERE audience = 'admins' OR work_order_id IS NULL;
ALTER TABLE notifications DROP CONSTRAINT notifications_audience_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_audience_check CHECK (audience IN ('unit', 'center', 'supervisors'));
ALTER TABLE notifications ALTER COLUMN work_order_id SET NOT NULL;
DROP TABLE calendar_official_years;
