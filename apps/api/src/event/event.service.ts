import { type EventFilter, type EventStore, MAX_POSITION, type Position } from '@pasid/store';
import type { ApiConfig } from '../config.js';
import { badInput, mapped } from '../errors.js';
import type { Loaders } from '../loaders.js';
import type { SystemService } from '../system/system.service.js';
import type { EventFilterInput } from './event.args.js';
import { toLedgerEvent } from './event.mapper.js';
import type { EventConnection, LedgerEvent } from './event.type.js';

export interface PageRequest {
  first: number;
  after?: string | null | undefined;
  filter?: EventFilterInput | null | undefined;
  system?: string | null | undefined;
  fromVersion?: number | null | undefined;
  toVersion?: number | null | undefined;
}

export class EventService {
  constructor(
    private readonly store: EventStore,
    private readonly loaders: Loaders,
    private readonly systems: SystemService,
    private readonly config: Pick<ApiConfig, 'maxPageSize'>,
  ) {}

  /** A page of the log (of one system when `system` is given), after the cursor, in log order. */
  async page(request: PageRequest): Promise<EventConnection> {
    const { first } = request;
    if (!Number.isInteger(first) || first < 1 || first > this.config.maxPageSize) {
      throw badInput(`first must be from 1 to ${this.config.maxPageSize}, got ${first}`, { field: 'first' });
    }
    const after = parseCursor(request.after);
    if (request.system) await this.systems.get(request.system);
    const filter = toStoreFilter(request.filter, request.system);
    const { fromVersion, toVersion } = request;
    for (const [field, value] of [
      ['fromVersion', fromVersion],
      ['toVersion', toVersion],
    ] as const) {
      if (value !== undefined && value !== null && value < 0) {
        throw badInput(`${field} must be 0 or more, got ${value}`, { field });
      }
    }
    if (fromVersion != null && toVersion != null && fromVersion > toVersion) {
      throw badInput(`fromVersion (${fromVersion}) must not be after toVersion (${toVersion})`, {
        field: 'fromVersion',
      });
    }
    if (fromVersion != null) filter.fromVersion = fromVersion;
    if (toVersion != null) filter.toVersion = toVersion;
    // One more than asked tells whether another page follows.
    const rows = await mapped(() =>
      this.store.readAll({ limit: first + 1, ...(after === undefined ? {} : { after }), filter }),
    );
    const nodes = rows.slice(0, first).map(toLedgerEvent);
    const edges = nodes.map((node) => ({ cursor: String(node.position), node }));
    return {
      edges,
      nodes,
      pageInfo: {
        hasNextPage: rows.length > first,
        hasPreviousPage: after !== undefined && after > 0n,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? request.after ?? null,
      },
    };
  }

  /** The derived events of an input event (batched across a page through the loader). */
  async derivedOf(event: LedgerEvent): Promise<LedgerEvent[]> {
    if (event.kind !== 'input') return [];
    const events = await mapped(() =>
      this.loaders.eventsOfVersion.load({ system: event.system, version: event.version }),
    );
    return events.filter((e) => e.kind === 'derived').map(toLedgerEvent);
  }

  /** The input event a derived event came from (itself for an input). */
  async causeOf(event: LedgerEvent): Promise<LedgerEvent | null> {
    if (event.kind === 'input') return event;
    const events = await mapped(() =>
      this.loaders.eventsOfVersion.load({ system: event.system, version: event.version }),
    );
    const input = events.find((e) => e.kind === 'input');
    return input ? toLedgerEvent(input) : null;
  }

  async derivedByInputId(inputId: string): Promise<LedgerEvent[]> {
    const events = await mapped(() => this.store.derivedOf(inputId));
    return events.map(toLedgerEvent);
  }
}

/** A cursor is a position in the log, written as a decimal string (exact: a bigint, any size). */
function parseCursor(cursor: string | null | undefined): Position | undefined {
  if (cursor === undefined || cursor === null || cursor === '') return undefined;
  if (!/^\d{1,19}$/.test(cursor) || BigInt(cursor) > MAX_POSITION) {
    throw badInput(
      `after must be a cursor from a previous page (a position such as "42"), got ${JSON.stringify(cursor)}`,
      {
        field: 'after',
      },
    );
  }
  return BigInt(cursor);
}

function toStoreFilter(
  filter: EventFilterInput | null | undefined,
  system: string | null | undefined,
): EventFilter {
  const out: EventFilter = {};
  if (system) out.system = system;
  if (!filter) return out;
  if (filter.types && filter.types.length > 0) out.types = filter.types;
  if (filter.kind) out.kind = filter.kind;
  if (filter.actor) out.actor = filter.actor;
  if (filter.correlationId) out.correlationId = filter.correlationId;
  if (filter.from) out.from = filter.from;
  if (filter.to) out.to = filter.to;
  return out;
}
