-- The PASID Ledger: the append-only log, its projections, snapshots and API keys.
-- Applied by @pasid/store's migrator (inside one transaction) on Postgres and PGlite alike.

CREATE TABLE events (
  position       bigint      PRIMARY KEY,
  system         text        NOT NULL,
  version        integer     NOT NULL,
  index          integer     NOT NULL,
  kind           text        NOT NULL CHECK (kind IN ('input', 'derived')),
  type           text        NOT NULL,
  data           jsonb       NOT NULL,
  id             uuid        NOT NULL,
  causation_id   uuid,
  correlation_id text        NOT NULL,
  actor          text        NOT NULL,
  recorded_at    timestamptz(6) NOT NULL DEFAULT now(),
  observed_at    timestamptz(6),
  prev_hash      text        NOT NULL,
  hash           text        NOT NULL
);
CREATE UNIQUE INDEX events_id_key ON events (id);
CREATE UNIQUE INDEX events_system_version_index_key ON events (system, version, index);
CREATE INDEX events_correlation_id_idx ON events (correlation_id);
CREATE INDEX events_causation_id_idx ON events (causation_id);

-- Append-only, whoever the client is: only a superuser who disables triggers gets past this,
-- and the hash chain (see `pasid verify`) shows what such a person changed.
CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();

-- One row: the last global position. Taking its row lock last in an append orders commits by
-- position, so a reader of `position > n` never skips an event that commits late.
CREATE TABLE log_head (
  id       integer PRIMARY KEY CHECK (id = 1),
  position bigint  NOT NULL
);
INSERT INTO log_head (id, position) VALUES (1, 0);

CREATE TABLE systems (
  name          text        PRIMARY KEY,
  policy        text        NOT NULL,
  max_pasid     integer     NOT NULL,
  version       integer     NOT NULL,
  event_count   integer     NOT NULL,
  live_pasids   integer     NOT NULL,
  hazard_count  integer     NOT NULL,
  freed_count   integer     NOT NULL,
  last_hash     text        NOT NULL,
  last_position bigint      NOT NULL,
  created_at    timestamptz(6) NOT NULL DEFAULT now(),
  created_by    text        NOT NULL
);

CREATE TABLE processes (
  system text    NOT NULL,
  pid    integer NOT NULL,
  parent integer,
  pasid  integer,
  PRIMARY KEY (system, pid)
);

CREATE TABLE tasks (
  system text    NOT NULL,
  tid    integer NOT NULL,
  pid    integer NOT NULL,
  msr    integer,
  PRIMARY KEY (system, tid)
);

CREATE TABLE pasids (
  system   text    NOT NULL,
  pasid    integer NOT NULL,
  pid      integer NOT NULL,
  refcount integer,
  PRIMARY KEY (system, pasid)
);

CREATE TABLE bonds (
  system text    NOT NULL,
  pid    integer NOT NULL,
  device text    NOT NULL,
  binds  integer NOT NULL,
  PRIMARY KEY (system, pid, device)
);

CREATE TABLE pasid_entries (
  system text    NOT NULL,
  device text    NOT NULL,
  pasid  integer NOT NULL,
  PRIMARY KEY (system, device, pasid)
);

CREATE TABLE hazards (
  system text    NOT NULL,
  seq    integer NOT NULL,
  event  integer NOT NULL,
  code   text    NOT NULL,
  tid    integer,
  pid    integer,
  device text,
  pasid  integer,
  PRIMARY KEY (system, seq)
);

CREATE TABLE freed_pasids (
  system text    NOT NULL,
  seq    integer NOT NULL,
  pasid  integer NOT NULL,
  PRIMARY KEY (system, seq)
);

CREATE TABLE snapshots (
  system     text    NOT NULL,
  policy     text    NOT NULL,
  version    integer NOT NULL,
  state      jsonb   NOT NULL,
  created_at timestamptz(6) NOT NULL DEFAULT now(),
  PRIMARY KEY (system, policy, version)
);

CREATE TABLE api_keys (
  name       text PRIMARY KEY,
  role       text NOT NULL CHECK (role IN ('reader', 'writer', 'admin')),
  token_hash text NOT NULL,
  created_at timestamptz(6) NOT NULL DEFAULT now(),
  revoked_at timestamptz(6)
);
CREATE UNIQUE INDEX api_keys_token_hash_key ON api_keys (token_hash);

-- Writes one decided batch: projection changes first, then the global positions (taking the
-- log_head row lock as late as possible, so it is held only until commit), then the events.
-- The caller holds the stream's row lock (SELECT ... FOR UPDATE on systems) and has checked the
-- expected version; one round trip keeps appends close to a raw INSERT.
CREATE FUNCTION pasid_append(p_system text, p_events jsonb, p_changes jsonb)
RETURNS TABLE (first_position bigint, recorded_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  n integer := jsonb_array_length(p_events);
  last_pos bigint;
BEGIN
  DELETE FROM processes p WHERE p.system = p_system
    AND p.pid IN (SELECT value::integer FROM jsonb_array_elements_text(p_changes->'pids'));
  INSERT INTO processes (system, pid, parent, pasid)
    SELECT p_system, r.pid, r.parent, r.pasid
    FROM jsonb_to_recordset(p_changes->'processes') AS r(pid integer, parent integer, pasid integer);

  DELETE FROM tasks t WHERE t.system = p_system
    AND t.tid IN (SELECT value::integer FROM jsonb_array_elements_text(p_changes->'tids'));
  INSERT INTO tasks (system, tid, pid, msr)
    SELECT p_system, r.tid, r.pid, r.msr
    FROM jsonb_to_recordset(p_changes->'tasks') AS r(tid integer, pid integer, msr integer);

  DELETE FROM pasids a WHERE a.system = p_system
    AND a.pasid IN (SELECT value::integer FROM jsonb_array_elements_text(p_changes->'pasidKeys'));
  INSERT INTO pasids (system, pasid, pid, refcount)
    SELECT p_system, r.pasid, r.pid, r.refcount
    FROM jsonb_to_recordset(p_changes->'pasids') AS r(pasid integer, pid integer, refcount integer);

  DELETE FROM bonds b WHERE b.system = p_system
    AND b.pid IN (SELECT value::integer FROM jsonb_array_elements_text(p_changes->'pids'));
  INSERT INTO bonds (system, pid, device, binds)
    SELECT p_system, r.pid, r.device, r.binds
    FROM jsonb_to_recordset(p_changes->'bonds') AS r(pid integer, device text, binds integer);

  DELETE FROM pasid_entries e WHERE e.system = p_system
    AND e.pasid IN (SELECT value::integer FROM jsonb_array_elements_text(p_changes->'pasidKeys'));
  INSERT INTO pasid_entries (system, device, pasid)
    SELECT p_system, r.device, r.pasid
    FROM jsonb_to_recordset(p_changes->'entries') AS r(device text, pasid integer);

  INSERT INTO hazards (system, seq, event, code, tid, pid, device, pasid)
    SELECT p_system, r.seq, r.event, r.code, r.tid, r.pid, r.device, r.pasid
    FROM jsonb_to_recordset(p_changes->'hazards')
      AS r(seq integer, event integer, code text, tid integer, pid integer, device text, pasid integer);
  INSERT INTO freed_pasids (system, seq, pasid)
    SELECT p_system, r.seq, r.pasid
    FROM jsonb_to_recordset(p_changes->'freed') AS r(seq integer, pasid integer);

  UPDATE log_head SET position = position + n WHERE id = 1 RETURNING position INTO last_pos;

  INSERT INTO events (position, system, version, index, kind, type, data, id, causation_id,
                      correlation_id, actor, observed_at, prev_hash, hash)
    SELECT last_pos - n + 1 + r.o, p_system, r.version, r.index, r.kind, r.type, r.data, r.id,
           r.causation_id, r.correlation_id, r.actor, r.observed_at, r.prev_hash, r.hash
    FROM jsonb_to_recordset(p_events) AS r(o integer, version integer, index integer, kind text,
      type text, data jsonb, id uuid, causation_id uuid, correlation_id text, actor text,
      observed_at timestamptz, prev_hash text, hash text);

  UPDATE systems s SET
    version = (p_changes->>'version')::integer,
    event_count = s.event_count + n,
    live_pasids = (p_changes->>'livePasids')::integer,
    hazard_count = (p_changes->>'hazardCount')::integer,
    freed_count = (p_changes->>'freedCount')::integer,
    last_hash = p_changes->>'lastHash',
    last_position = last_pos
  WHERE s.name = p_system;

  -- Delivered at commit, to every listener in any process.
  PERFORM pg_notify('pasid_events', p_system || ' ' || last_pos);
  RETURN QUERY SELECT last_pos - n + 1, now();
END
$$;
