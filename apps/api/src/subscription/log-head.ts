import type { EventStore } from '@pasid/store';

/**
 * The last position of the whole log. The store has no call for it; positions are gap-free from 1
 * (the store's `log_head`), so it is the number of events stored, summed over the systems.
 */
export async function logHead(store: EventStore): Promise<number> {
  const systems = await store.listSystems();
  return systems.reduce((sum, s) => sum + s.eventCount, 0);
}
