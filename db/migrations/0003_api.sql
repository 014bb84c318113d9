-- Up Migration
-- What the API needs beyond the directory: the hotline's office hours and work-order numbers.

-- Office periods of a working day ([{ "start": "08:30", "end": "12:00" }, ...]); null → the
-- default of domain/calendar.ts.
ALTER TABLE hotline_settings ADD COLUMN office_hours jsonb;

-- Work-order numbers (工单编号) are <local date><sequence>, e.g. 20260306000042.
CREATE SEQUENCE work_order_number_seq;

-- Down Migration
DROP SEQUENCE work_order_number_seq;
ALTER TABLE hotline_settings DROP COLUMN office_hours;
