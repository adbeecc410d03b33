import type { EventStore, Position, StoredEvent, Subscription, SubscriptionOptions } from '@pasid/store';
import { mapped } from '../errors.js';
import type { StateService } from '../state/state.service.js';
import type { SystemState } from '../state/state.type.js';
import type { SystemService } from '../system/system.service.js';

/** A version of a system whose state a `systemStateChanged` subscriber is sent. */
export type StateChange = Pick<StoredEvent, 'system' | 'version'>;

/**
 * Opens the store's subscriptions (its live feed does the catch-up and the fan-out); the
 * resolvers map what they deliver to GraphQL.
 */
export class SubscriptionService {
  constructor(
    private readonly store: EventStore,
    private readonly systems: SystemService,
    /** A state service with fresh loaders: a cached system row (its version) would go stale over a long subscription. */
    private readonly freshState: () => StateService,
  ) {}

  /** Every event appended (of one system or all), after replaying those after `after`. */
  events(system?: string | null, after?: Position | null): Promise<Subscription> {
    return this.open({ ...(system ? { system } : {}) }, after);
  }

  /** The HazardDetected events as they are appended. */
  hazards(system?: string | null, after?: Position | null): Promise<Subscription> {
    return this.open({ ...(system ? { system } : {}), types: ['HazardDetected'] }, after);
  }

  /**
   * The system's version now, then each input event appended after it. One row gives both the
   * version and the position of its last event, so the inputs after that position are exactly the
   * versions after it: none missed, none sent twice. The store delivers events only after their
   * transaction committed, so the state at an input's version holds all the events derived from it.
   */
  async stateChanges(system: string): Promise<AsyncIterableIterator<StateChange>> {
    const now = await this.systems.fresh(system);
    const inputs = this.store.subscribe({ system, kind: 'input', after: now.lastPosition });
    return startingWith({ system, version: now.version }, inputs);
  }

  /** The state a `systemStateChanged` subscriber is sent for a change. */
  stateAt(change: StateChange): Promise<SystemState> {
    return this.freshState().state(change.system, change.version);
  }

  private async open(options: Omit<SubscriptionOptions, 'after'>, after: Position | null | undefined) {
    // `after` is a Position: the scalar has refused anything that is not one, negatives included.
    if (options.system) await this.systems.get(options.system);
    // Without `after`, only what is appended from now on: start at the log's current head.
    const from = after ?? (await mapped(() => this.store.headPosition()));
    return this.store.subscribe({ ...options, after: from });
  }
}

/**
 * `first`, then what `source` delivers. Closing it (the client leaves) closes the store
 * subscription at once, even while a `next()` is waiting, which an async generator's `return()`
 * could not do (it would wait for the next event).
 */
function startingWith<T>(first: T, source: Subscription): AsyncIterableIterator<T | StoredEvent> {
  const events = source[Symbol.asyncIterator]();
  let pending: { value: T } | null = { value: first };
  const done = async (): Promise<IteratorResult<T | StoredEvent>> => {
    await source.close();
    return { done: true, value: undefined };
  };
  return {
    next() {
      if (!pending) return events.next();
      const { value } = pending;
      pending = null;
      return Promise.resolve({ done: false, value });
    },
    return: done,
    async throw(error: unknown) {
      await source.close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
