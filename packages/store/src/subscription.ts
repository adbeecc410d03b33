import { EventEmitter } from 'node:events';
import type { Database } from './database.js';
import type { EventStore, StoredEvent, Subscription } from './event-store.js';
import { type Position, START_POSITION } from './position.js';
import { isDatabaseUnavailable } from './unavailable.js';

const PAGE = 500;
/** A subscriber re-reads this often even without a notice: a safety net, not the main path. */
const POLL_MS = 1000;
const RECONNECT_MS = 250;

/**
 * One LISTEN for the whole store, fanned out in-process: every subscription wakes on any commit
 * and reads what is new. A lost connection is re-established and every subscription told to
 * re-read, so notices missed meanwhile cost nothing but a read.
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
    }, RECONNECT_MS).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake.emit('wake');
    if (this.stop) await this.stop();
    this.stop = null;
  }
}

/**
 * Catches up from the log, then follows it live. The read is the only source of events: a notice
 * merely says "read again", and the reader asks for `position > last`. Positions are assigned in
 * commit order (see the README), so this neither skips a late commit nor repeats an event, at
 * the switch from catch-up to live or after a reconnect.
 */
export class LiveSubscription implements Subscription {
  private last: Position;
  private buffer: StoredEvent[] = [];
  private dirty = true;
  private closed = false;
  private attached = false;
  private wakeUp: (() => void) | null = null;
  private readonly onWake = () => {
    this.dirty = true;
    this.wakeUp?.();
  };

  constructor(
    private readonly store: Pick<EventStore, 'readAll'>,
    private readonly notifier: Notifier,
    private readonly options: { system?: string; after?: Position },
  ) {
    this.last = options.after ?? START_POSITION;
  }

  /** The position of the last event delivered. */
  get position(): Position {
    return this.last;
  }

  async next(): Promise<IteratorResult<StoredEvent>> {
    if (!this.attached && !this.closed) {
      this.attached = true;
      // Listen before the first read, so a commit between the two is not missed.
      await this.notifier.attach(this.onWake);
    }
    while (!this.closed) {
      const event = this.buffer.shift();
      if (event) {
        this.last = event.position;
        return { value: event, done: false };
      }
      if (this.dirty) {
        this.dirty = false;
        try {
          this.buffer = await this.store.readAll({
            after: this.last,
            limit: PAGE,
            filter: this.options.system === undefined ? undefined : { system: this.options.system },
          });
        } catch (error) {
          if (this.closed) break;
          // A lost connection: wait and read again from the last delivered position.
          await this.sleep(RECONNECT_MS);
          this.dirty = true;
          if (!isDatabaseUnavailable(error)) throw error;
          continue;
        }
        if (this.buffer.length === PAGE) this.dirty = true;
        continue;
      }
      await this.sleep(POLL_MS);
      this.dirty = true;
    }
    return { value: undefined, done: true };
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
    this.wakeUp?.();
    if (this.attached) await this.notifier.detach(this.onWake);
  }
}
