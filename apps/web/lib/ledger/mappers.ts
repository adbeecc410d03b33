/** From the API's wire shapes (generated from the schema) to the UI's types, and nowhere else. */
import type { TimelineEvent } from '../replay/timeline';
import type {
  EventFieldsFragment,
  HazardsQuery,
  StateFieldsFragment,
  StepStateFieldsFragment,
  SystemSummaryFragment,
  TimelineEventFieldsFragment,
} from './generated/graphql';
import type { HazardEntry, LedgerEvent, LedgerState, SystemSummary } from './types';

type WireHazard = NonNullable<HazardsQuery['system']>['state']['hazards'][number];

export function toSystemSummary(s: SystemSummaryFragment): SystemSummary {
  return {
    name: s.name,
    policy: s.policy,
    maxPasid: s.maxPasid,
    version: s.version,
    eventCount: s.eventCount,
    hazardCount: s.hazardCount,
    pasidCount: s.livePasids,
  };
}

export function toHazardEntry(h: WireHazard): HazardEntry {
  return { code: h.code, event: h.event, tid: h.tid, pid: h.pid, device: h.device, pasid: h.pasid };
}

/** A state; the replay's step states (StepStateFields) come without hazards. */
export function toLedgerState(s: StateFieldsFragment | StepStateFieldsFragment): LedgerState {
  return {
    policy: s.policy,
    version: s.events,
    pasids: s.pasids.map((p) => ({
      pasid: p.pasid,
      pid: p.pid,
      refcount: p.refcount,
      devices: [...p.devices],
    })),
    tasks: s.tasks.map((t) => ({ tid: t.tid, pid: t.pid, msr: t.msr })),
    processes: s.processes.map((p) => ({
      pid: p.pid,
      parent: p.parent,
      pasid: p.pasid,
      tasks: [...p.tasks],
      bonds: p.bonds.map((b) => ({ device: b.device, count: b.count })),
    })),
    freed: [...s.freed],
    hazards: 'hazards' in s ? s.hazards.map(toHazardEntry) : [],
  };
}

export function toTimelineEvent(e: TimelineEventFieldsFragment): TimelineEvent {
  return {
    position: e.position,
    version: e.version,
    index: e.index,
    kind: e.kind,
    type: e.type,
    data: e.data,
  };
}

export function toLedgerEvent(e: EventFieldsFragment): LedgerEvent {
  return {
    id: e.id,
    position: e.position,
    system: e.system,
    version: e.version,
    index: e.index,
    kind: e.kind,
    type: e.type,
    data: e.data,
    actor: e.actor,
    correlationId: e.correlationId,
    causationId: e.causationId,
    recordedAt: e.recordedAt,
    observedAt: e.observedAt,
    hash: e.hash,
  };
}
