-- Group commit: many decided batches written by one call, so that appends arriving together
-- share one round trip and one commit. pasid_append now skips the projection statements a
-- batch has no rows for, and writes the batch's snapshot when it carries one.

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
  END IF;
  IF jsonb_array_length(p_changes->'processes') > 0 THEN
    INSERT INTO processes (system, pid, parent, pasid)
      SELECT p_system, r.pid, r.parent, r.pasid
      FROM jsonb_to_recordset(p_changes->'processes') AS r(pid integer, parent integer, pasid integer);
  END IF;
  IF jsonb_array_length(p_changes->'bonds') > 0 THEN
    INSERT INTO bonds (system, pid, device, binds)
      SELECT p_system, r.pid, r.device, r.binds
      FROM jsonb_to_recordset(p_changes->'bonds') AS r(pid integer, device text, binds integer);
  END IF;

  IF jsonb_array_length(p_changes->'tids') > 0 THEN
    DELETE FROM tasks t WHERE t.system = p_system
      AND t.tid IN (SELECT value::integer FROM jsonb_array_elements_text(p_changes->'tids'));
  END IF;
  IF jsonb_array_length(p_changes->'tasks') > 0 THEN
    INSERT INTO tasks (system, tid, pid, msr)
      SELECT p_system, r.tid, r.pid, r.msr
      FROM jsonb_to_recordset(p_changes->'tasks') AS r(tid integer, pid integer, msr integer);
  END IF;

  IF jsonb_array_length(p_changes->'pasidKeys') > 0 THEN
    DELETE FROM pasids a WHERE a.system = p_system
      AND a.pasid IN (SELECT value::integer FROM jsonb_array_elements_text(p_changes->'pasidKeys'));
    DELETE FROM pasid_entries e WHERE e.system = p_system
      AND e.pasid IN (SELECT value::integer FROM jsonb_array_elements_text(p_changes->'pasidKeys'));
  END IF;
  IF jsonb_array_length(p_changes->'pasids') > 0 THEN
    INSERT INTO pasids (system, pasid, pid, refcount)
      SELECT p_system, r.pasid, r.pid, r.refcount
      FROM jsonb_to_recordset(p_changes->'pasids') AS r(pasid integer, pid integer, refcount integer);
  END IF;
  IF jsonb_array_length(p_changes->'entries') > 0 THEN
    INSERT INTO pasid_entries (system, device, pasid)
      SELECT p_system, r.device, r.pasid
      FROM jsonb_to_recordset(p_changes->'entries') AS r(device text, pasid integer);
  END IF;

  IF jsonb_array_length(p_changes->'hazards') > 0 THEN
    INSERT INTO hazards (system, seq, event, code, tid, pid, device, pasid)
      SELECT p_system, r.seq, r.event, r.code, r.tid, r.pid, r.device, r.pasid
      FROM jsonb_to_recordset(p_changes->'hazards')
        AS r(seq integer, event integer, code text, tid integer, pid integer, device text, pasid integer);
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

-- p_batches: [{system, events, changes}, ...], written in array order.
CREATE FUNCTION pasid_append_batches(p_batches jsonb)
RETURNS TABLE (batch integer, first_position bigint, recorded_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  b record;
BEGIN
  FOR b IN SELECT t.value, t.n FROM jsonb_array_elements(p_batches) WITH ORDINALITY AS t(value, n) ORDER BY t.n LOOP
    RETURN QUERY SELECT (b.n - 1)::integer, a.first_position, a.recorded_at
      FROM pasid_append(b.value->>'system', b.value->'events', b.value->'changes') AS a;
  END LOOP;
END
$$;
