import { type Hazard as DomainHazard, describeHazard } from '@pasid/domain';
import type { EventStore } from '@pasid/store';
import { badInput, mapped } from '../errors.js';
import type { HazardArgs, HazardPage, StoredHazard } from './hazard.type.js';

const MAX_PAGE = 1000;

/** Hazards from the store's hazards table (keyset paging in (system, seq) order): no replay. */
export class HazardService {
  constructor(private readonly store: EventStore) {}

  async page(args: HazardArgs): Promise<HazardPage> {
    if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_PAGE) {
      throw badInput(`first must be from 1 to ${MAX_PAGE}, got ${args.first}`, { field: 'first' });
    }
    const rows = await mapped(() =>
      this.store.hazards({
        system: args.system ?? undefined,
        code: args.code ?? undefined,
        after: args.after ?? undefined,
        limit: args.first + 1,
      }),
    );
    const items = rows.slice(0, args.first).map((row): StoredHazard => {
      // The table's nulls are the domain's absent fields.
      const hazard = Object.fromEntries(
        Object.entries(row).filter(([, value]) => value !== null),
      ) as unknown as DomainHazard & {
        system: string;
        seq: number;
      };
      return { ...hazard, description: describeHazard(hazard) } as StoredHazard;
    });
    const last = items.at(-1);
    return { items, next: rows.length > args.first && last ? { system: last.system, seq: last.seq } : null };
  }
}
