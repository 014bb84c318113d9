-- Up Migration
-- Sign-in for people (the web console): passwords, sessions and failed attempts. API bearer
-- tokens (api_tokens, 0001) are unchanged and keep working for integrations.

-- A user's password as a scrypt hash (api/auth/passwords.ts: `scrypt$N$r$p$salt$hash`), never in
-- clear. The sign-in name is the user id.
CREATE TABLE user_passwords (
  user_id text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  password_hash text NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text
);

-- Console sessions: only the SHA-256 of the cookie's value is stored; the CSRF token is sent back
-- in a header with every state-changing call made with the cookie.
CREATE TABLE console_sessions (
  id_hash text PRIMARY KEY CHECK (id_hash ~ '^[0-9a-f]{64}$'),
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX console_sessions_user_idx ON console_sessions (user_id);
CREATE INDEX console_sessions_expires_idx ON console_sessions (expires_at);

-- Failed sign-ins per sign-in name, for the lockout (api/auth/lockout.ts).
CREATE TABLE sign_in_failures (
  login text PRIMARY KEY,
  failures integer NOT NULL,
  first_failed_at timestamptz NOT NULL,
  locked_until timestamptz
);

-- The operator's "earlier work orders of this caller" (GET /caller-history): phone digits only.
CREATE INDEX work_orders_caller_phone_digits_idx ON work_orders ((regexp_replace(caller_phone, '[^0-9+]', '', 'g')));

-- Down Migration
DROP INDEX work_orders_caller_phone_digits_idx;
DROP TABLE sign_in_failures;
DROP TABLE console_sessions;
DROP TABLE user_passwords;
