import type { Policy } from '@pasid/domain';
import type { SystemState } from './state.type.js';

/** States can be large (a system with many processes): keep only the recent ones. */
const MAX_ENTRIES = 64;

/**
 * The state of a system after a given version (under a given policy) never changes once recorded,
 * so requests and state subscriptions of one process share it: a popular `system { state }` or a
 * thousand `systemStateChanged` subscribers cost one store read and one mapping per version.
 * The one cache of state reads on the server (per-request loaders keep no states; the store keeps
 * only its append path's latest state and replay start points): see the README's cache table.
 */
export class StateCache {
  private readonly entries = new Map<string, Promise<SystemState>>();

  get(
    key: { system: string; version: number; policy: Policy | undefined },
    load: () => Promise<SystemState>,
  ): Promise<SystemState> {
    const id = `${key.system}\u0000${key.version}\u0000${key.policy ?? ''}`;
    let entry = this.entries.get(id);
    if (!entry) {
      entry = load();
      this.entries.set(id, entry);
      // A failed read is not kept: the next subscriber tries again.
      entry.catch(() => this.entries.delete(id));
      if (this.entries.size > MAX_ENTRIES) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    }
    return entry;
  }
}
