import type { Policy } from '@pasid/domain';
import type { EventStore } from '@pasid/store';
import type { LongWork } from '../audit/audit.service.js';
import { badInput, mapped } from '../errors.js';
import type { SystemService } from '../system/system.service.js';
import { MAX_STATES_PER_REQUEST } from './state.args.js';
import { toSystemState } from './state.mapper.js';
import type { SystemState } from './state.type.js';
import type { StateCache } from './state-cache.js';

export class StateService {
  constructor(
    private readonly store: EventStore,
    private readonly systems: SystemService,
    private readonly cache: StateCache,
    private readonly longWork: LongWork,
  ) {}

  /** The state after input event `at` (the latest when absent), under `policy` for a what-if. */
  async state(name: string, at?: number | null, policy?: Policy | null): Promise<SystemState> {
    const system = await this.systems.get(name);
    if (at !== undefined && at !== null && (at < 0 || at > system.version)) {
      throw badInput(`at must be from 0 to ${system.version} (the version of ${name}), got ${at}`, {
        field: 'at',
        version: system.version,
      });
    }
    const version = at ?? system.version;
    const whatIf = policy === system.policy ? undefined : (policy ?? undefined);
    const load = () =>
      mapped(() => this.store.state(name, { version, ...(whatIf === undefined ? {} : { policy: whatIf }) }));
    // A recorded state replays at most a snapshot interval; a what-if may re-decide the history.
    const long = whatIf !== undefined;
    return this.cache.get({ system: name, version, policy: whatIf }, async () =>
      toSystemState(await (long ? this.longWork('state', load) : load())),
    );
  }

  /** The states after each of `versions`, in that order (each checked as `state` checks `at`). */
  async states(name: string, versions: readonly number[], policy?: Policy | null): Promise<SystemState[]> {
    if (versions.length > MAX_STATES_PER_REQUEST) {
      throw badInput(`versions may name at most ${MAX_STATES_PER_REQUEST} versions, got ${versions.length}`, {
        field: 'versions',
      });
    }
    return Promise.all(versions.map((at) => this.state(name, at, policy)));
  }
}
