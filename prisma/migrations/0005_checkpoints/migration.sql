-- Tamper evidence beyond the database's own rows (issue 12, item 5).
--
-- 1. Every column that matters is hashed. Rows already stored keep hash format 1 (their hash
--    leaves out kind and recorded_at) and still verify under that rule; every row inserted from
--    now on is format 2, whose hash also covers kind and recorded_at (the writer hashes its
--    transaction's now(), which recorded_at defaults to). A format 1 row after a format 2 row of
--    the same stream is a forgery (see verify).
ALTER TABLE events ADD COLUMN hash_format integer NOT NULL DEFAULT 1;
ALTER TABLE events ALTER COLUMN hash_format SET DEFAULT 2;

-- 2. Signed checkpoints: the operator's Ed25519 key (never in the database) signs the head of
--    every stream at a global position, chained to the previous checkpoint. `statement` is the
--    exact signed text (canonical JSON, see @pasid/store's checkpoints.ts); the other columns
--    repeat some of its fields for queries and are never trusted by verify.
CREATE TABLE checkpoints (
  seq         bigint         PRIMARY KEY,
  position    bigint         NOT NULL,
  recorded_at timestamptz(6) NOT NULL,
  key_id      text           NOT NULL,
  statement   text           NOT NULL,
  signature   text           NOT NULL
);

CREATE FUNCTION checkpoints_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'checkpoints is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER checkpoints_no_update_delete BEFORE UPDATE OR DELETE ON checkpoints
  FOR EACH ROW EXECUTE FUNCTION checkpoints_refuse_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION checkpoints_refuse_change();
