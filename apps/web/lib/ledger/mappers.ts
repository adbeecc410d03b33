/** From the API's wire shapes to the UI's types (and nowhere else). */
import type { TimelineEvent } from '../replay/timeline';
import type { ApiEvent, ApiState, ApiSystem, ApiTimelineEvent } from './api-types';
import type { EventKind, HazardCode, LedgerEvent, LedgerState, Policy, SystemSummary } from './types';

export function toSystemSummary(s: ApiSystem): SystemSummary {
  return {
    name: s.name,
    policy: s.policy as Policy,
    maxPasid: s.maxPasid,
    version: s.version,
    eventCount: s.eventCount,
    hazardCount: s.hazardCount,
    pasidCount: s.livePasids,
  };
}

export function toLedgerState(s: ApiState): LedgerState {
  return {
    policy: s.policy as Policy,
    version: s.events,
    pasids: s.pasids.map((p) => ({
      pasid: p.pasid,
      pid: p.pid,
      refcount: p.refcount,
      devices: [...p.devices],
    })),
    tasks: s.tasks.map((t) => ({ tid: t.tid, pid: t.pid, msr: t.msr })),
    processes:
      s.processes?.map((p) => ({
        pid: p.pid,
        parent: p.parent,
        pasid: p.pasid,
        tasks: [...p.tasks],
        bonds: p.bonds.map((b) => ({ device: b.device, count: b.count })),
      })) ?? null,
    freed: [...s.freed],
    hazards: (s.hazards ?? []).map((h) => ({
      code: h.code as HazardCode,
      event: h.event,
      tid: h.tid ?? null,
      pid: h.pid ?? null,
      device: h.device ?? null,
      pasid: h.pasid ?? null,
    })),
  };
}

const kindOf = (kind: string): EventKind => (kind.toUpperCase() === 'INPUT' ? 'INPUT' : 'DERIVED');

export function toTimelineEvent(e: ApiTimelineEvent): TimelineEvent {
  const data = typeof e.data === 'string' ? (JSON.parse(e.data) as unknown) : e.data;
  return {
    position: Number(e.position),
    version: e.version,
    index: e.index,
    kind: kindOf(e.kind),
    type: e.type,
    data: data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : {},
  };
}

export function toLedgerEvent(e: ApiEvent): LedgerEvent {
  const data = typeof e.data === 'string' ? (JSON.parse(e.data) as unknown) : e.data;
  return {
    id: e.id,
    position: Number(e.position),
    system: e.system,
    version: e.version,
    index: e.index,
    kind: kindOf(e.kind),
    type: e.type,
    data: data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : {},
    actor: e.actor ?? null,
    correlationId: e.correlationId ?? null,
    causationId: e.causationId ?? null,
    recordedAt: e.recordedAt,
    observedAt: e.observedAt ?? null,
    hash: e.hash,
  };
}
