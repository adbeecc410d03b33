import { DivergenceFinder, describeDifference, type Policy } from '@pasid/domain';
import type { EventStore } from '@pasid/store';
import type { LongWork } from '../audit/audit.service.js';
import { badInput, mapped } from '../errors.js';
import { toLedgerEvent } from '../event/event.mapper.js';
import type { Loaders } from '../loaders.js';
import type { SystemService } from '../system/system.service.js';
import type { Divergence } from './divergence.type.js';

export class DivergenceService {
  constructor(
    private readonly store: EventStore,
    private readonly loaders: Loaders,
    private readonly systems: SystemService,
    private readonly longWork: LongWork,
  ) {}

  /**
   * The first input where the system's states under two policies differ: the domain follows the
   * whole stored history once, under both, as the store pages it in (no cap, no client search).
   */
  async first(name: string, policies: readonly Policy[]): Promise<Divergence | null> {
    if (policies.length !== 2) {
      throw badInput(`policies must name exactly two policies, got ${policies.length}`, {
        field: 'policies',
      });
    }
    const system = await this.systems.get(name);
    const pair = [policies[0], policies[1]] as [Policy, Policy];
    const finder = new DivergenceFinder(pair, { maxPasid: system.maxPasid, recordedPolicy: system.policy });
    // Re-deciding a whole history is long work: it goes through the same gate as verifyLog.
    const found = await this.longWork('divergence', () =>
      mapped(async () => {
        for await (const input of this.store.inputsOf(name)) if (finder.push(input)) break;
        return finder.divergence;
      }),
    );
    if (!found) return null;
    const events = await mapped(() =>
      this.loaders.eventsOfVersion.load({ system: name, version: found.version }),
    );
    const input = events.find((e) => e.kind === 'input');
    if (!input) throw new Error(`system ${name} has no input at version ${found.version}`);
    return {
      version: found.version,
      input: toLedgerEvent(input),
      policies: pair,
      differences: found.differences.map((d) => ({
        field: d.field,
        key: d.key,
        left: JSON.stringify(d.left ?? null),
        right: JSON.stringify(d.right ?? null),
        description: describeDifference(d, pair),
      })),
      explanation: found.explanation,
    };
  }
}
