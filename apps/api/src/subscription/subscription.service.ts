import type { EventStore, Position, StoredEvent } from '@pasid/store';
import { mapped } from '../errors.js';
import type { StateService } from '../state/state.service.js';
import type { SystemState } from '../state/state.type.js';
import type { SystemService } from '../system/system.service.js';
import type { LiveFeed } from './live-feed.js';
import { mapSubscription } from './live-iterator.js';

export class SubscriptionService {
  constructor(
    private readonly store: EventStore,
    private readonly feed: LiveFeed,
    private readonly systems: SystemService,
    /** A state service with fresh loaders: cached versions would go stale over a long subscription. */
    private readonly freshState: () => StateService,
  ) {}

  /** Every event appended (of one system or all), after replaying those after `after`. */
  events(system?: string | null, after?: Position | null): Promise<AsyncIterable<StoredEvent>> {
    // Nothing to map: the feed's subscription goes out as it is (one promise hop less per event).
    return this.open(system, after);
  }

  /** The HazardDetected events as they are appended. */
  async hazards(
    system?: string | null,
    after?: Position | null,
  ): Promise<AsyncIterableIterator<StoredEvent>> {
    return mapSubscription(await this.open(system, after), (event) =>
      event.type === 'HazardDetected' ? event : undefined,
    );
  }

  /**
   * The state now, then the state after each input event appended. The store delivers events only
   * after their transaction committed, so the state at an input's version already holds all of the
   * events derived from it.
   */
  async stateChanges(system: string): Promise<AsyncIterableIterator<SystemState>> {
    const source = await this.open(system, undefined);
    // The first state may already hold inputs the feed delivers after it: never send a state older
    // than the last one sent.
    let sent = -1;
    return mapSubscription(
      source,
      async (event) => {
        if (event.kind !== 'input' || event.version <= sent) return undefined;
        sent = event.version;
        return this.freshState().state(system, event.version);
      },
      async () => {
        const now = await this.freshState().state(system);
        sent = now.events;
        return now;
      },
    );
  }

  private async open(system: string | null | undefined, after: Position | null | undefined) {
    // `after` is a Position: the scalar has refused anything that is not one, negatives included.
    if (system) await this.systems.get(system);
    // Without `after`, only what is appended from now on: start at the log's current head.
    const from = after ?? (await mapped(() => this.store.headPosition()));
    return this.feed.subscribe({ ...(system ? { system } : {}), after: from });
  }
}
