-- Issue 15: the log stores each event's JSON as the text it was hashed from (`json`, not `jsonb`),
-- and drops an index no query needs.
--
-- 1. `events.data` and `snapshots.state` become `json`. No query looks inside them (every read
--    takes the whole document, and the client parses it), so `jsonb`'s binary form only cost:
--    on this machine, inserting 200,000 event documents took 747 ms as `jsonb` and 404 ms as
--    `json`, and reading them back 176 ms against 62 ms (jsonb_out rebuilds the text). The hash
--    chain is unchanged: it covers the canonical JSON of the parsed document (`canonicalJson`),
--    which is what is stored now, and what a rewrite of an older log's `jsonb` text parses back to.
ALTER TABLE events ALTER COLUMN data TYPE json USING data::json;
ALTER TABLE snapshots ALTER COLUMN state TYPE json USING state::json;
--    The one field a query reads inside a document is a snapshot's `format` (reads skip other
--    formats): on json, `state->>'format'` parses the whole state (megabytes at a million
--    events, every snapshot of a stream on every state read), so it is a column of its own,
--    computed once when the row is written, whoever writes it (COPY included).
ALTER TABLE snapshots ADD COLUMN format integer GENERATED ALWAYS AS ((state->>'format')::integer) STORED;

-- 2. Derived events are found from their input's (system, version) (they share it, at index > 0:
--    `derivedOf` in the store), through the unique (system, version, index) index, so the index on
--    causation_id cost every append and served nothing.
DROP INDEX events_causation_id_idx;

-- 3. Snapshots are the one value big enough to be compressed (TOAST): pglz_compress showed in a
--    profile of the appends, and lz4 is the faster method by Postgres's own account (not measured
--    here on its own). A server built without lz4 (PGlite is one) keeps pglz.
DO $$
BEGIN
  ALTER TABLE snapshots ALTER COLUMN state SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END
$$;

-- 4. pasid_write as in 0006, taking the documents as `json`.
CREATE OR REPLACE FUNCTION pasid_write(
  e_system text[], e_version integer[], e_index integer[], e_kind text[], e_type text[], e_data text,
  e_id uuid[], e_causation_id uuid[], e_correlation_id text[], e_actor text[],
  e_observed_at timestamptz[], e_prev_hash text[], e_hash text[],
  s_name text[], s_version integer[], s_events integer[], s_live_pasids integer[],
  s_hazard_count integer[], s_freed_count integer[], s_last_hash text[], s_last integer[],
  h_system text[], h_seq integer[], h_event integer[], h_code text[], h_tid integer[], h_pid integer[],
  h_device text[], h_pasid integer[], h_reason text[], h_observed boolean[], h_explained boolean[],
  snap_system text[], snap_policy text[], snap_version integer[], snap_state text)
RETURNS TABLE (first_position bigint, recorded_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  n integer := cardinality(e_system);
  base bigint;
BEGIN
  IF cardinality(h_system) > 0 THEN
    INSERT INTO hazards (system, seq, event, code, tid, pid, device, pasid, reason, observed, explained)
      SELECT * FROM unnest(h_system, h_seq, h_event, h_code, h_tid, h_pid, h_device, h_pasid, h_reason,
                           h_observed, h_explained);
  END IF;
  IF cardinality(snap_system) > 0 THEN
    INSERT INTO snapshots (system, policy, version, state)
      SELECT s.system, s.policy, s.version, s.state::json
      FROM unnest(snap_system, snap_policy, snap_version, string_to_array(snap_state, E'\n'))
        AS s(system, policy, version, state)
      ON CONFLICT DO NOTHING;
  END IF;

  -- The log head last: its row lock is held from here to commit, so commits follow positions
  -- (see the README, "How ordering is guaranteed").
  UPDATE log_head SET position = position + n WHERE id = 1 RETURNING position - n INTO base;

  INSERT INTO events (position, system, version, index, kind, type, data, id, causation_id,
                      correlation_id, actor, observed_at, prev_hash, hash)
    SELECT base + r.o, r.system, r.version, r.index, r.kind, r.type, r.data::json, r.id,
           r.causation_id, r.correlation_id, r.actor, r.observed_at, r.prev_hash, r.hash
    FROM unnest(e_system, e_version, e_index, e_kind, e_type, string_to_array(e_data, E'\n'), e_id,
                e_causation_id, e_correlation_id, e_actor, e_observed_at, e_prev_hash, e_hash)
      WITH ORDINALITY AS r(system, version, index, kind, type, data, id, causation_id, correlation_id,
                           actor, observed_at, prev_hash, hash, o);

  UPDATE systems s SET
    version = u.version,
    event_count = s.event_count + u.events,
    live_pasids = u.live_pasids,
    hazard_count = u.hazard_count,
    freed_count = u.freed_count,
    last_hash = u.last_hash,
    last_position = base + u.last
  FROM unnest(s_name, s_version, s_events, s_live_pasids, s_hazard_count, s_freed_count, s_last_hash,
              s_last) AS u(name, version, events, live_pasids, hazard_count, freed_count, last_hash, last)
  WHERE s.name = u.name;

  -- Delivered at commit, to every listener in any process.
  PERFORM pg_notify('pasid_events', u.name || ' ' || (base + u.last)) FROM unnest(s_name, s_last) AS u(name, last);
  RETURN QUERY SELECT base + 1, now();
END
$$;
