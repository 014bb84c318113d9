-- Up Migration
-- Indexes no query reads, paid for on every write of the outbox (issue 9: each work-order
-- change rewrites its read-model row and appends timeline rows):
-- - work_orders.unit_ids (GIN): the column is written, never queried;
-- - work_orders.co_unit_ids (GIN): the queries ask `$unit = ANY (co_unit_ids)`, which a GIN
--   index cannot answer (it serves `@>` / `&&`), beside `main_unit_id = $unit`;
-- - work_order_events (unit_id, at): the timeline is read by work order (its primary key); the
--   metrics count by type (work_order_events_type_at_idx stays).
DROP INDEX IF EXISTS work_orders_unit_ids_idx;
DROP INDEX IF EXISTS work_orders_co_unit_ids_idx;
DROP INDEX IF EXISTS work_order_events_unit_idx;

-- Down Migration
CREATE INDEX work_orders_unit_ids_idx ON work_orders USING gin (unit_ids);
CREATE INDEX work_orders_co_unit_ids_idx ON work_orders USING gin (co_unit_ids);
CREATE INDEX work_order_events_unit_idx ON work_order_events (unit_id, at);
