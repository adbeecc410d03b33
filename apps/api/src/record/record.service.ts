import { checkInputEvent, describeHazard, type InputEvent, type Policy } from '@pasid/domain';
import type { EventStore } from '@pasid/store';
import { badInput, mapped } from '../errors.js';
import { toLedgerEvent } from '../event/event.mapper.js';
import type { Hazard } from '../state/state.type.js';
import type { SystemService } from '../system/system.service.js';
import type { LifecycleEventInput } from './lifecycle-event.input.js';
import type { ImportResult, RecordResult } from './record.type.js';

/** More than this per call is an import: use importHistory. */
export const MAX_EVENTS_PER_RECORD = 10_000;

export class RecordService {
  constructor(
    private readonly store: EventStore,
    private readonly systems: SystemService,
  ) {}

  /** Checks every input first (naming the index and field at fault), then appends all or nothing. */
  async record(
    system: string,
    inputs: LifecycleEventInput[],
    expectedVersion: number | null | undefined,
    actor: string,
  ): Promise<RecordResult> {
    if (inputs.length === 0) throw badInput('events must hold at least one event', { field: 'events' });
    if (inputs.length > MAX_EVENTS_PER_RECORD) {
      throw badInput(
        `at most ${MAX_EVENTS_PER_RECORD} events per call (got ${inputs.length}); use importHistory`,
        {
          field: 'events',
        },
      );
    }
    if (expectedVersion !== undefined && expectedVersion !== null && expectedVersion < 0) {
      throw badInput(`expectedVersion must be 0 or more, got ${expectedVersion}`, {
        field: 'expectedVersion',
      });
    }
    const events = inputs.map(toInputEvent);
    await this.systems.get(system);
    const result = await mapped(() =>
      this.store.appendToStream(system, events, {
        actor,
        ...(expectedVersion === undefined || expectedVersion === null ? {} : { expectedVersion }),
      }),
    );
    const stored = result.events.map(toLedgerEvent);
    return {
      system: await this.systems.fresh(system),
      version: result.version,
      events: stored,
      derived: stored.filter((e) => e.kind === 'derived'),
      hazards: stored.filter((e) => e.type === 'HazardDetected').map(toHazard),
      idempotentReplay: result.idempotentReplay,
    };
  }

  async importHistory(
    system: string,
    history: string,
    policy: Policy | null | undefined,
    actor: string,
  ): Promise<ImportResult> {
    const result = await mapped(() =>
      this.store.importHistory(history, {
        system,
        actor,
        headerMustMatch: true,
        ...(policy ? { policy } : {}),
      }),
    );
    return {
      system: await this.systems.fresh(result.system),
      version: result.version,
      lastPosition: result.lastPosition,
    };
  }
}

/** The GraphQL input as a domain input event, or BAD_USER_INPUT naming events[i] and the field. */
function toInputEvent(input: LifecycleEventInput, index: number): InputEvent {
  // Unset and null both mean "not given": the domain's schemas know only absent fields.
  const value = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined));
  const checked = checkInputEvent(value);
  if (checked.ok) return checked.event;
  const where = checked.field ? `events[${index}].${checked.field}` : `events[${index}]`;
  throw badInput(`${where}: ${checked.reason}`, { eventIndex: index, field: checked.field ?? null });
}

function toHazard(event: { version: number; data: Record<string, unknown> }): Hazard {
  const {
    type: _type,
    code,
    ...rest
  } = event.data as { type: string; code: Hazard['code'] } & Omit<Hazard, 'event' | 'description'>;
  return { code, event: event.version, ...rest, description: describeHazard({ code, ...rest }) };
}
