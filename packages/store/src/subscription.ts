import { EventEmitter } from 'node:events';
import type { Database } from './database.js';
import type { ReadAllOptions, StoredEvent, Subscription, SubscriptionOptions } from './event-store.js';
import { type Position, START_POSITION } from './position.js';
import { isDatabaseUnavailable } from './unavailable.js';

const PAGE = 500;
/** The tail re-reads this often even without a notice: a safety net, not the main path. */
const POLL_MS = 1000;
/** A read or LISTEN that lost its connection is tried again after this long (the pool reconnects). */
const RETRY_MS = 250;

type ReadAll = (options: ReadAllOptions) => Promise<StoredEvent[]>;

/** `work`, tried again while the database is unreachable (a killed connection, a failover). */
async function retryUnavailable<T>(work: () => Promise<T>, stopped: () => boolean): Promise<T> {
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || stopped()) throw error;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
    }
  }
}

/**
 * One LISTEN for the whole store. A lost connection is re-established and the listener told to
 * read again, so notices missed meanwhile cost nothing but a read.
 */
export class Notifier {
  private readonly wake = new EventEmitter();
  private stop: (() => Promise<void>) | null = null;
  private starting: Promise<void> | null = null;
  private users = 0;
  private closed = false;

  constructor(private readonly db: Database) {
    this.wake.setMaxListeners(0);
  }

  async attach(listener: () => void): Promise<void> {
    this.wake.on('wake', listener);
    this.users += 1;
    await this.ensureListening();
  }

  async detach(listener: () => void): Promise<void> {
    this.wake.off('wake', listener);
    this.users -= 1;
    if (this.users === 0 && this.stop) {
      const stop = this.stop;
      this.stop = null;
      await stop();
    }
  }

  private ensureListening(): Promise<void> {
    if (this.stop || this.closed) return Promise.resolve();
    this.starting ??= this.db
      .listen(
        () => this.wake.emit('wake'),
        () => this.lost(),
      )
      .then((stop) => {
        this.stop = stop;
      })
      .finally(() => {
        this.starting = null;
      });
    return this.starting;
  }

  private lost(): void {
    this.stop = null;
    if (this.closed || this.users === 0) return;
    setTimeout(() => {
      this.ensureListening()
        .then(() => this.wake.emit('wake'))
        .catch(() => this.lost());
    }, RETRY_MS).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake.emit('wake');
    if (this.stop) await this.stop();
    this.stop = null;
  }
}

type Listener = { onEvent(event: StoredEvent): void; onEnd(error?: unknown): void };

/**
 * The store's live feed: one LISTEN and one reader of the log's tail per process, fanned out in
 * memory to every subscription. Without it, each of a thousand subscribers would read the log
 * again on every append. The read is the only source of events: a notice merely says "read
 * again", and the reader asks for `position > reached`. Positions are assigned in commit order
 * (see the README), so it neither skips a late commit nor repeats an event, after a reconnect
 * either. It follows the log from the moment the first subscriber came and stops with the last.
 */
export class LiveFeed {
  private readonly listeners = new Set<Listener>();
  private starting: Promise<void> | null = null;
  private running = false;
  /** The last position passed on to the listeners (the log's head when the feed started). */
  private reached: Position = START_POSITION;
  private dirty = true;
  private wakeUp: (() => void) | null = null;
  private closed = false;
  /** The run each reader loop belongs to: a loop whose run has ended stops. */
  private run = 0;
  private readonly onNotice = () => {
    this.dirty = true;
    this.wakeUp?.();
  };

  constructor(
    private readonly notifier: Notifier,
    private readonly readAll: ReadAll,
    private readonly head: () => Promise<Position>,
  ) {}

  /** The last log position this feed has passed on, or null when no feed runs (nothing is behind). */
  position(): Position | null {
    return this.running ? this.reached : null;
  }

  /** A subscription: the stored events after `after` matching the options, then the live ones. */
  subscribe(options: SubscriptionOptions): Subscription {
    return new LiveSubscription(this, this.readAll, options);
  }

  /** Registers a listener; resolves once the feed follows the log (every later commit reaches it). */
  async attach(listener: Listener): Promise<void> {
    if (this.closed) {
      listener.onEnd();
      return;
    }
    this.listeners.add(listener);
    if (this.running) return;
    this.starting ??= this.start().finally(() => {
      this.starting = null;
    });
    await this.starting;
  }

  async detach(listener: Listener): Promise<void> {
    this.listeners.delete(listener);
    if (this.listeners.size === 0 && this.running && !this.starting) await this.stop();
  }

  private async start(): Promise<void> {
    // Listen before reading the head, so a commit between the two is not missed.
    await this.notifier.attach(this.onNotice);
    try {
      this.reached = await retryUnavailable(this.head, () => this.closed);
    } catch (error) {
      await this.notifier.detach(this.onNotice);
      this.fail(error);
      return;
    }
    this.running = true;
    this.dirty = true;
    this.run += 1;
    void this.follow(this.run);
    // Everyone left while it started.
    if (this.listeners.size === 0) await this.stop();
  }

  private async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.run += 1;
    this.wakeUp?.();
    await this.notifier.detach(this.onNotice);
  }

  private async follow(run: number): Promise<void> {
    const current = () => this.run === run && this.running;
    while (current()) {
      if (!this.dirty) {
        await this.sleep(POLL_MS);
        this.dirty = true;
        continue;
      }
      this.dirty = false;
      let page: StoredEvent[];
      try {
        page = await this.readAll({ after: this.reached, limit: PAGE });
      } catch (error) {
        if (!current()) return;
        if (!isDatabaseUnavailable(error)) {
          await this.stop();
          this.fail(error);
          return;
        }
        // A lost connection: wait and read again from the last position passed on.
        await this.sleep(RETRY_MS);
        this.dirty = true;
        continue;
      }
      if (!current()) return;
      for (const event of page) {
        this.reached = event.position;
        for (const listener of this.listeners) listener.onEvent(event);
      }
      if (page.length === PAGE) this.dirty = true;
    }
  }

  private fail(error: unknown): void {
    for (const listener of [...this.listeners]) listener.onEnd(error);
    this.listeners.clear();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }

  /** Ends every subscription (the store is closing). */
  async close(): Promise<void> {
    this.closed = true;
    await this.stop();
    for (const listener of [...this.listeners]) listener.onEnd();
    this.listeners.clear();
  }
}

/** Whether a live event is one the subscription asked for (the catch-up reads ask the database). */
function matches(options: SubscriptionOptions, event: StoredEvent): boolean {
  return (
    (options.system === undefined || event.system === options.system) &&
    (options.kind === undefined || event.kind === options.kind) &&
    (options.types === undefined || options.types.includes(event.type))
  );
}

/**
 * Catch-up from the log, then the shared feed. It attaches to the feed before its first read, so
 * an event that commits meanwhile is in its buffer if not in the read; positions already
 * delivered are skipped, so nothing comes twice.
 */
class LiveSubscription implements Subscription, AsyncIterator<StoredEvent> {
  private last: Position;
  private page: StoredEvent[] = [];
  private catchingUp = true;
  private finalPage = false;
  private attached = false;
  private closed = false;
  private ended = false;
  private failure: unknown = null;
  private readonly buffered: StoredEvent[] = [];
  private wake: (() => void) | null = null;
  private readonly listener: Listener = {
    onEvent: (event) => {
      if (!matches(this.options, event)) return;
      this.buffered.push(event);
      this.wake?.();
    },
    onEnd: (error) => {
      this.ended = true;
      if (error !== undefined) this.failure = error;
      this.wake?.();
    },
  };

  constructor(
    private readonly feed: LiveFeed,
    private readonly readAll: ReadAll,
    private readonly options: SubscriptionOptions,
  ) {
    this.last = options.after ?? START_POSITION;
  }

  /** The position of the last event delivered. */
  get position(): Position {
    return this.last;
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
      if (this.ended) break;
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
      const { system, types, kind } = this.options;
      // Reading again from the last delivered position: a lost connection costs no event.
      this.page = await retryUnavailable(
        () =>
          this.readAll({
            after: this.last,
            limit: PAGE,
            filter: {
              ...(system === undefined ? {} : { system }),
              ...(types === undefined ? {} : { types }),
              ...(kind === undefined ? {} : { kind }),
            },
          }),
        () => this.closed,
      );
      this.finalPage = this.page.length < PAGE;
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
