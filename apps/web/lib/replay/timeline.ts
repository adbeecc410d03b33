/** The replay timeline: input events with the events derived from them folded underneath. */
import {
  assertNever,
  DERIVED_EVENT_TYPES,
  type LedgerEvent as DomainEvent,
  INPUT_EVENT_TYPES,
} from '@pasid/domain';
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

const KNOWN_TYPES: ReadonlySet<string> = new Set([...INPUT_EVENT_TYPES, ...DERIVED_EVENT_TYPES]);

/**
 * One line that says what an event is, in the words of the spec: every input and derived event
 * of the domain's union, checked by the compiler (a type the domain adds fails the build here).
 * `data` is the stored event as the API serves it; a type this app does not know (a newer
 * server) is said so rather than guessed at.
 */
export function describeEvent(type: string, data: Record<string, unknown>): string {
  if (!KNOWN_TYPES.has(type)) return `${type} (an event type this version of the web app does not know)`;
  // The log stores what the domain decided, so the data of a known type has that type's shape.
  const event = { ...data, type } as DomainEvent;
  const count = 'refcount' in event && event.refcount !== undefined ? ` (count ${event.refcount})` : '';
  switch (event.type) {
    case 'ProcessCreated':
      return `process ${event.pid} created${event.parent !== undefined ? ` by ${event.parent}` : ''}`;
    case 'ThreadCreated':
      return `thread ${event.tid} created in ${event.pid}`;
    case 'DeviceBound':
      return `${event.pid} binds ${event.device}${event.fd !== undefined ? ` as fd ${event.fd}${event.cloexec ? ' (cloexec)' : ''}` : ''}${event.pasid !== undefined ? ` (PASID ${event.pasid} seen)` : ''}`;
    case 'DeviceUnbound':
      // The input names a device to unbind; the derived one (with a reason) is a close, exit or exec's.
      if (!('reason' in event)) return `${event.pid} unbinds ${event.device}`;
      return `${event.pid} unbinds ${event.device} at ${event.reason}${event.pasid !== undefined ? `, PASID ${event.pasid}` : ''}${event.file !== undefined ? ` (the file opened at event ${event.file})` : ''}${count}`;
    case 'FileClosed':
      if (!('reason' in event)) return `${event.pid} closes fd ${event.fd}`;
      return `fd ${event.fd} of ${event.pid} closed at ${event.reason}`;
    case 'Enqcmd':
      return event.device !== undefined
        ? `ENQCMD by ${event.tid} on ${event.device}`
        : `ENQCMD by ${event.tid}, no device named (the #GP fix-up only)`;
    case 'TaskExited':
      return `task ${event.tid} exits`;
    case 'ProcessExec':
      return `process ${event.pid} execs`;
    case 'DmarFaultLogged':
      return `kernel logged a DMAR fault on ${event.device} for PASID ${event.pasid}${event.reason ? `: ${event.reason}` : ''}`;
    case 'PasidAllocated':
      return `PASID ${event.pasid} allocated to ${event.pid}`;
    case 'BondAdded':
      return `bond ${event.pid} to ${event.device}: ${event.bonds}${event.fd !== undefined ? `, fd ${event.fd}` : ''}${count}`;
    case 'PasidEntryInstalled':
      return `entry (${event.device}, ${event.pasid}) installed${event.pid !== undefined ? ` for ${event.pid}'s mm` : ''}`;
    case 'PasidEntryRemoved':
      return `entry (${event.device}, ${event.pasid}) removed${event.reason === 'mm-release' ? ' (its mm released)' : ''}`;
    case 'MsrFixedUp':
      return `#GP fixed up: MSR of ${event.tid} = ${event.pasid}${count}`;
    case 'WorkSubmitted':
      return `work submitted by ${event.tid} to ${event.device} with PASID ${event.pasid}`;
    case 'MmReleased':
      return `mm of ${event.pid} released (no live task uses it)`;
    case 'RefcountChanged':
      return `count of PASID ${event.pasid} = ${event.refcount}`;
    case 'PasidFreed':
      return `PASID ${event.pasid} freed (was ${event.pid}'s)`;
    case 'BindFailed':
      return `bind of ${event.pid} to ${event.device} failed`;
    case 'HazardDetected':
      return [
        `hazard ${event.code}${event.reason ? ` (${event.reason})` : ''}`,
        event.observed ? ` logged by the kernel${event.explained ? ', explained' : ', unexplained'}` : '',
        event.tid !== undefined ? ` by ${event.tid}` : '',
        event.device ? ` on ${event.device}` : '',
        event.pasid !== undefined ? ` PASID ${event.pasid}` : '',
        event.pid !== undefined
          ? event.code === 'WRONG_ADDRESS_SPACE'
            ? ` in ${event.pid}'s memory`
            : ` pid ${event.pid}`
          : '',
      ].join('');
    case 'ProcessExited':
      return `process ${event.pid} ended`;
    default:
      return assertNever(event);
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
