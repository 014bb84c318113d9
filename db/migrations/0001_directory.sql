-- Up Migration
-- The directory: units (a tree), users and their API tokens, the hotline's SLA profile choice,
-- its calendar exceptions, and idempotency keys for work-order creation.
-- node-pg-migrate runs every pending file in one transaction, ordered by file name.

-- 承办单位 / 网络单位 (001): 一级 units (counties and districts, city departments, provincial
-- vertical units), 二级 units under a supervising department, and companies.
CREATE TABLE units (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.:-]{1,64}$'),
  name text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('level1', 'level2', 'company')),
  -- county (县区), department (市政府工作部门), provincial (省垂直单位); null for level2/company
  sector text CHECK (sector IN ('county', 'department', 'provincial')),
  parent_id text REFERENCES units (id) ON DELETE RESTRICT,
  -- The supervising department's name when it is not itself a network unit (e.g. 市邮政管理局).
  supervising_department text,
  webhook_url text,
  -- The HMAC key for this unit's webhook, stored as given because signing needs the key itself
  -- (a hash could not sign). Never returned by the API, never logged.
  webhook_secret text,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX units_parent_idx ON units (parent_id);

CREATE TABLE users (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.:-]{1,64}$'),
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('center', 'unit', 'supervisor', 'admin')),
  unit_id text REFERENCES units (id) ON DELETE RESTRICT,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- A unit user is bound to exactly one unit; other roles to none.
  CHECK ((role = 'unit') = (unit_id IS NOT NULL))
);
CREATE INDEX users_unit_idx ON users (unit_id);

-- Bearer tokens: only the SHA-256 (hex) of the token is stored; the token itself is shown once.
CREATE TABLE api_tokens (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  label text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- The hotline's SLA profile: one of the shipped profiles (domain/profile.ts) plus overrides of
-- any of its fields. One row: one deployment serves one hotline.
CREATE TABLE hotline_settings (
  id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  profile_id text NOT NULL,
  profile_overrides jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text
);

-- The hotline's own calendar exceptions on top of the national schedule: a holiday (休) or a
-- make-up working day (班), e.g. next year's schedule before a library update ships it.
CREATE TABLE calendar_exceptions (
  day date PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('holiday', 'workday')),
  name text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text
);

-- Idempotency-Key of POST /tickets: the same key from the same user yields the same work order.
CREATE TABLE idempotency_keys (
  user_id text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  work_order_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);

-- Who changed the directory, and when (every action records its actor).
CREATE TABLE admin_audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  user_id text NOT NULL,
  action text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb
);

-- Down Migration
DROP TABLE admin_audit;
DROP TABLE idempotency_keys;
DROP TABLE calendar_exceptions;
DROP TABLE hotline_settings;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE units;
