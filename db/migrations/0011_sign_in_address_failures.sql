-- Up Migration
-- Failed console sign-ins counted per client address too (issue 13): one address guessing
-- passwords across many user names is slowed down, beside the per-name count of
-- sign_in_failures (0004). The address is the client's, or the one the trusted proxy names
-- (TRUST_PROXY).
CREATE TABLE sign_in_address_failures (
  address text PRIMARY KEY,
  failures integer NOT NULL,
  first_failed_at timestamptz NOT NULL,
  locked_until timestamptz
);

-- Down Migration
DROP TABLE sign_in_address_failures;
