import type { HazardCode } from '@pasid/domain';
import type { LongWork } from '../audit/audit.service.js';
import { badInput, mapped } from '../errors.js';
import type { SystemService } from '../system/system.service.js';
import type { LaneFilter } from './lane-rows.js';
import { laneWindow, type WindowRow } from './lane-window.js';
import { type LanesArgs, MAX_LANES_PAGE, MAX_RESOLUTION } from './lanes.args.js';
import type { LaneRow, LaneWindow } from './lanes.type.js';
import type { LifetimesCache } from './lifetimes-cache.js';

const whole = (value: number | undefined, field: string, min: number, max: number) => {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max)
    throw badInput(`${field} must be a whole number from ${min} to ${max}, got ${value}`, { field });
};

export class LanesService {
  constructor(
    private readonly systems: SystemService,
    private readonly cache: LifetimesCache,
    private readonly longWork: LongWork,
  ) {}

  async window(args: LanesArgs): Promise<LaneWindow> {
    whole(args.resolution, 'resolution', 1, MAX_RESOLUTION);
    whole(args.first, 'first', 1, MAX_LANES_PAGE);
    whole(args.offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
    const system = await this.systems.get(args.system);
    const last = system.version;
    const from = args.from ?? 0;
    const to = args.to ?? last + 1;
    whole(from, 'from', 0, last);
    whole(to, 'to', from + 1, Number.MAX_SAFE_INTEGER);
    const policy = args.policy ?? system.policy;
    const filter: LaneFilter = {};
    for (const [k, v] of Object.entries(args.filter ?? {}))
      if (v !== undefined && v !== null) (filter as Record<string, unknown>)[k] = v;
    const { lifetimes, lanes } = await this.cache.lanes(
      { system: system.name, version: last, policy, maxPasid: system.maxPasid },
      filter,
      // Deciding a whole history again is long work: the gate of verifyLog and divergence.
      (work) => this.longWork('lanes', () => mapped(work)),
    );
    const window = laneWindow(lanes, {
      last,
      from,
      to,
      resolution: args.resolution,
      offset: args.offset,
      first: args.first,
    });
    return {
      ...window,
      version: last,
      policy,
      rows: window.rows.map(toLaneRow),
      devices: [...new Set(lifetimes.entries.map((e) => e.device))].sort(),
      codes: [...new Set(lifetimes.hazards.map((h) => h.code))].sort() as HazardCode[],
      hasFiles: lifetimes.files.length > 0,
    };
  }
}

function toLaneRow(row: WindowRow): LaneRow {
  return row.kind === 'group'
    ? {
        kind: 'GROUP',
        key: row.key,
        group: row.group,
        label: row.label,
        nested: false,
        count: row.count,
        bars: [],
        marks: [],
      }
    : {
        kind: 'LANE',
        key: row.key,
        group: row.group,
        label: row.label,
        nested: row.nested,
        count: 0,
        bars: row.bars,
        marks: row.marks,
      };
}
