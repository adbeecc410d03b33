-- Model version 2 (issue 9): the projection carries open files (fd tables), the task's
-- activation flag, each mm (live or released) and the hazards' reason/observed/explained.
--
-- SQL cannot replay the domain, so the projection rows and snapshots written by model version 1
-- are deleted here and written again from the log by the store right after the migration
-- (migrate() -> upgradeProjections(): every system whose projection_format is below the code's,
-- in one transaction per system, holding its row lock). The log itself is not touched: its
-- events, hash chain and positions stay as written, and model version 2 applies version 1's
-- derived events as recorded.

-- Written by model version 1: they cannot carry files, activation or released mms, and a
-- snapshot of format 1 decoded as format 2 would be a wrong state. All of them go.
DELETE FROM processes;
DELETE FROM tasks;
DELETE FROM pasids;
DELETE FROM bonds;
DELETE FROM pasid_entries;
DELETE FROM hazards;
DELETE FROM freed_pasids;
DELETE FROM snapshots;

-- Which projection format a system's rows (and snapshots) are in: 1 for the systems that exist
-- now (rebuilt by the store after this migration), 2 for every system created from now on.
ALTER TABLE systems ADD COLUMN projection_format integer NOT NULL DEFAULT 1;
ALTER TABLE systems ALTER COLUMN projection_format SET DEFAULT 2;

-- The process's current mm (an id in mms).
ALTER TABLE processes ADD COLUMN mm integer NOT NULL;

-- The #GP fix-up has run in this task (survives exec, cleared only at task creation).
ALTER TABLE tasks ADD COLUMN activated boolean NOT NULL;

-- The mm holding the PASID (with its process, or released and held by open files).
ALTER TABLE pasids ADD COLUMN mm integer NOT NULL;

ALTER TABLE hazards ADD COLUMN reason text;
ALTER TABLE hazards ADD COLUMN observed boolean;
ALTER TABLE hazards ADD COLUMN explained boolean;

-- Every mm not yet dropped: id is the version of the input that created it (the domain's id).
CREATE TABLE mms (
  system   text    NOT NULL,
  id       integer NOT NULL,
  pid      integer NOT NULL,
  pasid    integer,
  released boolean NOT NULL,
  PRIMARY KEY (system, id)
);

-- Open files of accelerators: id is the version of the DeviceBound that opened the file.
CREATE TABLE files (
  system text    NOT NULL,
  id     integer NOT NULL,
  device text    NOT NULL,
  pasid  integer NOT NULL,
  mm     integer NOT NULL,
  holder integer NOT NULL,
  refs   integer NOT NULL,
  PRIMARY KEY (system, id)
);

-- Each live process's fd table: the slot's open file (and its device), close-on-exec, and the
-- process that opened the file when it is another one (the slot came down a fork).
CREATE TABLE fds (
  system         text    NOT NULL,
  pid            integer NOT NULL,
  fd             integer NOT NULL,
  file           integer NOT NULL,
  device         text    NOT NULL,
  cloexec        boolean NOT NULL,
  inherited_from integer,
  PRIMARY KEY (system, pid, fd)
);
-- Who holds a file open (lookups by fd holder).
CREATE INDEX fds_system_file_idx ON fds (system, file);

-- pasid_append writes the new columns and tables. A caller of migration 0002's shape (code of
-- model version 1) fails on the NOT NULL columns instead of writing rows without them.
CREATE OR REPLACE FUNCTION pasid_append(p_system text, p_events jsonb, p_changes jsonb)
RETURNS TABLE (first_position bigint, recorded_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  n integer := jsonb_array_length(p_events);
  last_pos bigint;
BEGIN
  IF jsonb_array_length(p_changes->'pids') > 0 THEN
    DELETE FROM processes p WHERE p.system = p_system
      AND p.pid IN (SELECT value::integer FROM jsonb_array_elements_text(p_changes->'pids'));
    DELETE FROM bonds b WHERE b.system = p_system
      AND b.pid IN (SELECT value::integer FROM jsonb_array_elements_text(p_changes->'pids'));
    DELETE FROM fds f WHERE f.system = p_system
      AND f.pid IN (SELECT value::integer FROM jsonb_array_elements_text(p_changes->'pids'));
  END IF;
  IF jsonb_array_length(p_changes->'processes') > 0 THEN
    INSERT INTO processes (system, pid, parent, pasid, mm)
      SELECT p_system, r.pid, r.parent, r.pasid, r.mm
      FROM jsonb_to_recordset(p_changes->'processes')
        AS r(pid integer, parent integer, pasid integer, mm integer);
  END IF;
  IF jsonb_array_length(p_changes->'bonds') > 0 THEN
    INSERT INTO bonds (system, pid, device, binds)
      SELECT p_system, r.pid, r.device, r.binds
      FROM jsonb_to_recordset(p_changes->'bonds') AS r(pid integer, device text, binds integer);
  END IF;
  IF jsonb_array_length(p_changes->'fds') > 0 THEN
    INSERT INTO fds (system, pid, fd, file, device, cloexec, inherited_from)
      SELECT p_system, r.pid, r.fd, r.file, r.device, r.cloexec, r.inherited_from
      FROM jsonb_to_recordset(p_changes->'fds')
        AS r(pid integer, fd integer, file integer, device text, cloexec boolean, inherited_from integer);
  END IF;

  IF jsonb_array_length(p_changes->'tids') > 0 THEN
    DELETE FROM tasks t WHERE t.system = p_system
      AND t.tid IN (SELECT value::integer FROM jsonb_array_elements_text(p_changes->'tids'));
  END IF;
  IF jsonb_array_length(p_changes->'tasks') > 0 THEN
    INSERT INTO tasks (system, tid, pid, msr, activated)
      SELECT p_system, r.tid, r.pid, r.msr, r.activated
      FROM jsonb_to_recordset(p_changes->'tasks')
        AS r(tid integer, pid integer, msr integer, activated boolean);
  END IF;

  IF jsonb_array_length(p_changes->'mmKeys') > 0 THEN
    DELETE FROM mms m WHERE m.system = p_system
      AND m.id IN (SELECT value::integer FROM jsonb_array_elements_text(p_changes->'mmKeys'));
  END IF;
  IF jsonb_array_length(p_changes->'mms') > 0 THEN
    INSERT INTO mms (system, id, pid, pasid, released)
      SELECT p_system, r.id, r.pid, r.pasid, r.released
      FROM jsonb_to_recordset(p_changes->'mms')
        AS r(id integer, pid integer, pasid integer, released boolean);
  END IF;

  IF jsonb_array_length(p_changes->'fileKeys') > 0 THEN
    DELETE FROM files f WHERE f.system = p_system
      AND f.id IN (SELECT value::integer FROM jsonb_array_elements_text(p_changes->'fileKeys'));
  END IF;
  IF jsonb_array_length(p_changes->'files') > 0 THEN
    INSERT INTO files (system, id, device, pasid, mm, holder, refs)
      SELECT p_system, r.id, r.device, r.pasid, r.mm, r.holder, r.refs
      FROM jsonb_to_recordset(p_changes->'files')
        AS r(id integer, device text, pasid integer, mm integer, holder integer, refs integer);
  END IF;

  IF jsonb_array_length(p_changes->'pasidKeys') > 0 THEN
    DELETE FROM pasids a WHERE a.system = p_system
      AND a.pasid IN (SELECT value::integer FROM jsonb_array_elements_text(p_changes->'pasidKeys'));
    DELETE FROM pasid_entries e WHERE e.system = p_system
      AND e.pasid IN (SELECT value::integer FROM jsonb_array_elements_text(p_changes->'pasidKeys'));
  END IF;
  IF jsonb_array_length(p_changes->'pasids') > 0 THEN
    INSERT INTO pasids (system, pasid, pid, refcount, mm)
      SELECT p_system, r.pasid, r.pid, r.refcount, r.mm
      FROM jsonb_to_recordset(p_changes->'pasids')
        AS r(pasid integer, pid integer, refcount integer, mm integer);
  END IF;
  IF jsonb_array_length(p_changes->'entries') > 0 THEN
    INSERT INTO pasid_entries (system, device, pasid)
      SELECT p_system, r.device, r.pasid
      FROM jsonb_to_recordset(p_changes->'entries') AS r(device text, pasid integer);
  END IF;

  IF jsonb_array_length(p_changes->'hazards') > 0 THEN
    INSERT INTO hazards (system, seq, event, code, tid, pid, device, pasid, reason, observed, explained)
      SELECT p_system, r.seq, r.event, r.code, r.tid, r.pid, r.device, r.pasid, r.reason, r.observed,
             r.explained
      FROM jsonb_to_recordset(p_changes->'hazards')
        AS r(seq integer, event integer, code text, tid integer, pid integer, device text, pasid integer,
             reason text, observed boolean, explained boolean);
  END IF;
  IF jsonb_array_length(p_changes->'freed') > 0 THEN
    INSERT INTO freed_pasids (system, seq, pasid)
      SELECT p_system, r.seq, r.pasid
      FROM jsonb_to_recordset(p_changes->'freed') AS r(seq integer, pasid integer);
  END IF;

  IF p_changes ? 'snapshot' THEN
    INSERT INTO snapshots (system, policy, version, state)
      VALUES (p_system, p_changes->'snapshot'->>'policy', (p_changes->'snapshot'->>'version')::integer,
              p_changes->'snapshot'->'state')
      ON CONFLICT DO NOTHING;
  END IF;

  -- The log head last: its row lock is held from here to commit, so commits follow positions.
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

  PERFORM pg_notify('pasid_events', p_system || ' ' || last_pos);
  RETURN QUERY SELECT last_pos - n + 1, now();
END
$$;
