import type { SystemState } from '../state/state.type.js';

const MAX_ENTRIES = 256;

/**
 * The recorded state of a system at a version never changes, so every `systemStateChanged`
 * subscriber of one process can share it: one store read per appended input, not one per client.
 */
export class StateCache {
  private readonly entries = new Map<string, Promise<SystemState>>();

  get(system: string, version: number, load: () => Promise<SystemState>): Promise<SystemState> {
    const key = `${system}\u0000${version}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = load();
      this.entries.set(key, entry);
      // A failed read is not kept: the next subscriber tries again.
      entry.catch(() => this.entries.delete(key));
      if (this.entries.size > MAX_ENTRIES) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    }
    return entry;
  }
}
