import { isValidMaxPasid, MAX_PASID_RULE } from '@pasid/domain';
import type { EventStore, SystemInfo } from '@pasid/store';
import { badInput, mapped, notFound } from '../errors.js';
import type { Loaders } from '../loaders.js';
import type { CreateSystemInput } from './create-system.input.js';

export class SystemService {
  constructor(
    private readonly store: EventStore,
    private readonly loaders: Loaders,
  ) {}

  list(): Promise<SystemInfo[]> {
    return mapped(() => this.store.listSystems());
  }

  /** The system, or NOT_FOUND. */
  async get(name: string): Promise<SystemInfo> {
    const system = await mapped(() => this.loaders.system.load(name));
    if (!system) throw notFound('system', name);
    return system;
  }

  /** Reads the system again after a write, bypassing this request's cache. */
  async fresh(name: string): Promise<SystemInfo> {
    this.loaders.system.clear(name);
    return this.get(name);
  }

  async create(input: CreateSystemInput, actor: string): Promise<SystemInfo> {
    const name = input.name.trim();
    if (name.length < 1 || name.length > 200) {
      throw badInput('name must be 1 to 200 characters', { field: 'name' });
    }
    if (!isValidMaxPasid(input.maxPasid)) {
      throw badInput(`maxPasid must be ${MAX_PASID_RULE}, got ${input.maxPasid}`, {
        field: 'maxPasid',
      });
    }
    const system = await mapped(() =>
      this.store.createSystem({ name, policy: input.policy, maxPasid: input.maxPasid }, actor),
    );
    this.loaders.system.clear(name);
    return system;
  }
}
