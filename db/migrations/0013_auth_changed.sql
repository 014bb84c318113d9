-- Up Migration
-- Every committed change of tokens, users, units or console sessions is announced on channel `auth_changed`, so
-- the API processes' token caches (api/http/tokenCache.ts) forget what they kept (issue 9).
-- Per statement, and PostgreSQL folds a transaction's identical notifications into one.
CREATE FUNCTION notify_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('auth_changed', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER api_tokens_auth_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_tokens
  FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER users_auth_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER units_auth_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
  FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();
-- Sessions: only rows changed or ended (a new session is a new key; the clean-up of expired ones
-- at each sign-in deletes nothing most of the time and must not empty every cache).
CREATE TRIGGER console_sessions_auth_changed AFTER UPDATE OR DELETE ON console_sessions
  FOR EACH ROW EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER console_sessions_truncated AFTER TRUNCATE ON console_sessions
  FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();

-- Down Migration
DROP TRIGGER console_sessions_truncated ON console_sessions;
DROP TRIGGER console_sessions_auth_changed ON console_sessions;
DROP TRIGGER units_auth_changed ON units;
DROP TRIGGER users_auth_changed ON users;
DROP TRIGGER api_tokens_auth_changed ON api_tokens;
DROP FUNCTION notify_auth_changed();
