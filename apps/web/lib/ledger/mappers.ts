/** From the API's wire shapes (generated from the schema) to the UI's types, and nowhere else. */
import { describeHazard } from '@pasid/domain';
import type { TimelineEvent } from '../replay/timeline';
import type {
  DivergenceQuery,
  EventFieldsFragment,
  HazardsQuery,
  StateFieldsFragment,
  StepStateFieldsFragment,
  SystemSummaryFragment,
  TimelineEventFieldsFragment,
} from './generated/graphql';
import type { Divergence, HazardEntry, LedgerEvent, LedgerState, SystemSummary } from './types';

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

/**
 * A hazard with the domain's sentence on what the kernel did: the same `describeHazard` the API
 * serves as `description`, called here so that the thousands of hazards of a long history do not
 * each carry it over the wire.
 */
export function toHazardEntry(h: WireHazard): HazardEntry {
  return {
    code: h.code,
    reason: h.reason,
    event: h.event,
    tid: h.tid,
    pid: h.pid,
    device: h.device,
    pasid: h.pasid,
    observed: h.observed,
    explained: h.explained,
    description: describeHazard({
      code: h.code,
      reason: h.reason ?? undefined,
      observed: h.observed ?? undefined,
      explained: h.explained ?? undefined,
    }),
  };
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
      released: p.released,
    })),
    tasks: s.tasks.map((t) => ({
      tid: t.tid,
      pid: t.pid,
      msr: t.msr,
      activated: t.activated,
      msrStale: t.msrStale,
    })),
    processes: s.processes.map((p) => ({
      pid: p.pid,
      parent: p.parent,
      pasid: p.pasid,
      tasks: [...p.tasks],
      bonds: bondsPerDevice(p.bonds),
    })),
    files: s.files.map((f) => ({
      pid: f.pid,
      fd: f.fd,
      device: f.device,
      pasid: f.pasid,
      holder: f.holder,
      cloexec: f.cloexec,
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

/** The API's divergence; each side of a difference is JSON on the wire. */
export function toDivergence(d: NonNullable<DivergenceQuery['divergence']>): Divergence {
  const [left, right] = d.policies;
  if (!left || !right) throw new Error(`a divergence names two policies, got ${d.policies.length}`);
  return {
    version: d.version,
    input: toTimelineEvent(d.input),
    policies: [left, right],
    differences: d.differences.map((x) => ({
      field: x.field,
      key: x.key,
      left: JSON.parse(x.left) as unknown,
      right: JSON.parse(x.right) as unknown,
      description: x.description,
    })),
    explanation: d.explanation,
  };
}

/**
 * The API gives one bond per (device, PASID it was made with); the panels show one per device:
 * two only differ after PASID_FREED_WHILE_BOUND, and the PASID table shows that case.
 */
function bondsPerDevice(
  bonds: readonly { device: string; count: number }[],
): { device: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const b of bonds) counts.set(b.device, (counts.get(b.device) ?? 0) + b.count);
  return [...counts].map(([device, count]) => ({ device, count }));
}
