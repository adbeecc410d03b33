-- One system's events in global order (readAll filtered by system, per-system subscriptions)
-- without scanning every other system's events after the cursor.
CREATE INDEX events_system_position_idx ON events (system, position);
