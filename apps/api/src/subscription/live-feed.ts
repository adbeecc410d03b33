import {
  type EventStore,
  isDatabaseUnavailable,
  type Position,
  type StoredEvent,
  type Subscription,
} from '@pasid/store';

const CATCH_UP_PAGE = 500;
/** A catch-up read that lost its connection is tried again after this long (the pool reconnects). */
const RETRY_MS = 250;
const RETRIES = 40;

/** `work`, tried again while the database is unreachable (a killed connection, a failover). */
async function retryUnavailable<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || attempt >= RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}

type Listener = { onEvent(event: StoredEvent): void; onError(error: unknown): void };

/**
 * One store subscription per API process, following the whole log from the moment the first
 * subscriber came, fanned out in memory to every GraphQL subscription. Without it, each of a
 * thousand subscribers would read the log again on every append.
 */
export class LiveFeed {
  private source: Subscription | null = null;
  private starting: Promise<void> | null = null;
  private readonly listeners = new Set<Listener>();
  /** The last position the running feed has passed on (its start, before any event). */
  private reached: Position | null = null;

  constructor(
    private readonly store: EventStore,
    /** The log's last position now. */
    private readonly head: () => Promise<Position>,
  ) {}

  /** Registers a listener; resolves once the feed follows the log (every later commit reaches it). */
  async attach(listener: Listener): Promise<void> {
    this.listeners.add(listener);
    if (this.source) return;
    this.starting ??= this.start().finally(() => {
      this.starting = null;
    });
    await this.starting;
  }

  async detach(listener: Listener): Promise<void> {
    this.listeners.delete(listener);
    if (this.listeners.size === 0 && this.source && !this.starting) {
      const source = this.source;
      this.source = null;
      await source.close();
    }
  }

  private async start(): Promise<void> {
    const after = await retryUnavailable(this.head);
    const source = this.store.subscribe({ after });
    this.source = source;
    this.reached = after;
    void this.pump(source);
    // Everyone left while it started.
    if (this.listeners.size === 0) {
      this.source = null;
      await source.close();
    }
  }

  private async pump(source: Subscription): Promise<void> {
    try {
      for await (const event of source) {
        this.reached = event.position;
        for (const listener of this.listeners) listener.onEvent(event);
      }
    } catch (error) {
      if (this.source === source) this.source = null;
      for (const listener of [...this.listeners]) listener.onError(error);
    }
  }

  /** The last log position this feed has passed on, or null when no feed runs (nothing is behind). */
  position(): Position | null {
    return this.source ? this.reached : null;
  }

  /** A subscription: the stored events after `after` (of `system`, if given), then live ones. */
  subscribe(options: { system?: string; after: Position }): Subscription {
    return new FeedSubscription(this.store, this, options);
  }
}

/**
 * Catch-up from the log, then the shared feed. It attaches to the feed before its first read, so
 * an event that commits meanwhile is in the feed's buffer if not in the read; positions already
 * delivered are skipped, so nothing comes twice.
 */
class FeedSubscription implements Subscription, AsyncIterator<StoredEvent> {
  private last: Position;
  private page: StoredEvent[] = [];
  private catchingUp = true;
  private finalPage = false;
  private attached = false;
  private closed = false;
  private failure: unknown = null;
  private readonly buffered: StoredEvent[] = [];
  private wake: (() => void) | null = null;
  private readonly listener: Listener = {
    onEvent: (event) => {
      if (this.options.system !== undefined && event.system !== this.options.system) return;
      this.buffered.push(event);
      this.wake?.();
    },
    onError: (error) => {
      this.failure = error;
      this.wake?.();
    },
  };

  constructor(
    private readonly store: EventStore,
    private readonly feed: LiveFeed,
    private readonly options: { system?: string; after: Position },
  ) {
    this.last = options.after;
  }

  async next(): Promise<IteratorResult<StoredEvent>> {
    if (!this.attached) {
      this.attached = true;
      await this.feed.attach(this.listener);
    }
    while (!this.closed) {
      if (this.failure) throw this.failure;
      const event = this.catchingUp ? await this.nextStored() : this.nextLive();
      if (event) {
        this.last = event.position;
        return { value: event, done: false };
      }
      if (this.catchingUp || this.buffered.length > 0) continue;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = null;
    }
    return { value: undefined, done: true };
  }

  /** The next stored event of the catch-up; switches to live after the last, partial page. */
  private async nextStored(): Promise<StoredEvent | undefined> {
    if (this.page.length === 0) {
      if (this.finalPage) {
        this.catchingUp = false;
        return undefined;
      }
      // Reading again from the last delivered position: a lost connection costs no event.
      this.page = await retryUnavailable(() =>
        this.store.readAll({
          after: this.last,
          limit: CATCH_UP_PAGE,
          ...(this.options.system === undefined ? {} : { filter: { system: this.options.system } }),
        }),
      );
      this.finalPage = this.page.length < CATCH_UP_PAGE;
    }
    const event = this.page.shift();
    if (this.page.length === 0 && this.finalPage) this.catchingUp = false;
    return event;
  }

  private nextLive(): StoredEvent | undefined {
    for (let event = this.buffered.shift(); event; event = this.buffered.shift()) {
      if (event.position > this.last) return event;
    }
    return undefined;
  }

  async return(): Promise<IteratorResult<StoredEvent>> {
    await this.close();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterator<StoredEvent> {
    return this;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    if (this.attached) await this.feed.detach(this.listener);
  }
}
