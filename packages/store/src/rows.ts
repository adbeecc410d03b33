import type { Policy } from '@pasid/domain';
import type { EventKind, StoredEvent, SystemInfo } from './event-store.js';
import { toPosition } from './position.js';

/** The `events` columns every read selects, in the shape `toStoredEvent` takes. */
export const EVENT_COLUMNS = `position, system, version, index, kind, type, data, id, causation_id,
  correlation_id, actor, recorded_at, observed_at, prev_hash, hash`;

export interface EventRow {
  position: number | string | bigint;
  system: string;
  version: number;
  index: number;
  kind: string;
  type: string;
  data: unknown;
  id: string;
  causation_id: string | null;
  correlation_id: string;
  actor: string;
  recorded_at: Date;
  observed_at: Date | null;
  prev_hash: string;
  hash: string;
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    position: toPosition(row.position),
    system: row.system,
    version: row.version,
    index: row.index,
    kind: row.kind as EventKind,
    type: row.type,
    data: row.data as StoredEvent['data'],
    causationId: row.causation_id,
    correlationId: row.correlation_id,
    actor: row.actor,
    recordedAt: row.recorded_at,
    observedAt: row.observed_at,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export const SYSTEM_COLUMNS = `name, policy, max_pasid, version, created_at, created_by, event_count,
  live_pasids, hazard_count, freed_count, last_hash, last_position`;

export interface SystemRow {
  name: string;
  policy: string;
  max_pasid: number;
  version: number;
  created_at: Date;
  created_by: string;
  event_count: number;
  live_pasids: number;
  hazard_count: number;
  freed_count: number;
  last_hash: string;
  last_position: number | string | bigint;
}

export function toSystemInfo(row: SystemRow): SystemInfo {
  return {
    name: row.name,
    policy: row.policy as Policy,
    maxPasid: row.max_pasid,
    version: row.version,
    createdAt: row.created_at,
    createdBy: row.created_by,
    eventCount: row.event_count,
    livePasids: row.live_pasids,
    hazardCount: row.hazard_count,
    lastPosition: toPosition(row.last_position),
  };
}
