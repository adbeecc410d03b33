/** The replay timeline: input events with the events derived from them folded underneath. */
import type { LedgerEvent } from '../ledger/types';

/** What the timeline needs of an event (the audit view has the rest). */
export type TimelineEvent = Pick<LedgerEvent, 'position' | 'version' | 'index' | 'kind' | 'type' | 'data'>;

export interface TimelineStep {
  version: number;
  input: TimelineEvent | null;
  derived: TimelineEvent[];
  /** Hazard codes detected at this step. */
  hazards: string[];
}

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** One line that says what an event is, in the words of the spec. */
export function describeEvent(type: string, data: Record<string, unknown>): string {
  const pid = num(data.pid);
  const tid = num(data.tid);
  const device = str(data.device);
  const pasid = num(data.pasid);
  const refcount = num(data.refcount);
  const count = refcount !== undefined ? ` (count ${refcount})` : '';
  switch (type) {
    case 'ProcessCreated':
      return `process ${pid} created${num(data.parent) !== undefined ? ` by ${data.parent}` : ''}`;
    case 'ThreadCreated':
      return `thread ${tid} created in ${pid}`;
    case 'DeviceBound':
      return `${pid} binds ${device}${pasid !== undefined ? ` (PASID ${pasid} seen)` : ''}`;
    case 'DeviceUnbound':
      return `${pid} unbinds ${device}${str(data.reason) ? ` at ${data.reason}` : ''}${count}`;
    case 'Enqcmd':
      return `ENQCMD by ${tid} on ${device}`;
    case 'TaskExited':
      return `task ${tid} exits`;
    case 'ProcessExec':
      return `process ${pid} execs`;
    case 'PasidAllocated':
      return `PASID ${pasid} allocated to ${pid}`;
    case 'BondAdded':
      return `bond ${pid} to ${device}: ${num(data.bonds)}${count}`;
    case 'PasidEntryInstalled':
      return `entry (${device}, ${pasid}) installed`;
    case 'PasidEntryRemoved':
      return `entry (${device}, ${pasid}) removed`;
    case 'MsrFixedUp':
      return `#GP fixed up: MSR of ${tid} = ${pasid}${count}`;
    case 'WorkSubmitted':
      return `work submitted by ${tid} with PASID ${pasid}`;
    case 'RefcountChanged':
      return `count of PASID ${pasid} = ${refcount}`;
    case 'PasidFreed':
      return `PASID ${pasid} freed (was ${pid}'s)`;
    case 'BindFailed':
      return `bind of ${pid} to ${device} failed`;
    case 'HazardDetected':
      return `hazard ${str(data.code)}${tid !== undefined ? ` by ${tid}` : ''}${device ? ` on ${device}` : ''}${pasid !== undefined ? ` PASID ${pasid}` : ''}`;
    case 'ProcessExited':
      return `process ${pid} ended`;
    default:
      return type;
  }
}

/** Groups events (in log order) by version; derived events follow their input. */
export function toTimeline(events: readonly TimelineEvent[]): TimelineStep[] {
  const steps = new Map<number, TimelineStep>();
  for (const e of events) {
    let step = steps.get(e.version);
    if (!step) {
      step = { version: e.version, input: null, derived: [], hazards: [] };
      steps.set(e.version, step);
    }
    if (e.kind === 'INPUT') step.input = e;
    else {
      step.derived.push(e);
      if (e.type === 'HazardDetected') step.hazards.push(String(e.data.code));
    }
  }
  for (const step of steps.values()) step.derived.sort((a, b) => a.index - b.index);
  return [...steps.values()].sort((a, b) => a.version - b.version);
}
