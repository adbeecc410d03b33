import type { EventStore, Position, StoredEvent } from '@pasid/store';
import type { RequestHandler } from 'express';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The API's Prometheus metrics, served at GET /metrics: what it records, how long appends take,
 * how many subscriptions are live and how far behind the log its live feed is. One registry per
 * server, so tests can run several in one process.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly eventsRecorded = new Counter({
    name: 'pasid_events_recorded_total',
    help: 'Events stored by this process, by kind (input or derived).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly appendDuration = new Histogram({
    name: 'pasid_append_duration_seconds',
    help: 'Time to append a batch (recordEvents) or import a history, until the commit is acknowledged.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly liveSubscriptions = new Gauge({
    name: 'pasid_live_subscriptions',
    help: 'GraphQL subscriptions open on this process.',
    registers: [this.registry],
  });
  readonly requests = new Histogram({
    name: 'pasid_http_request_duration_seconds',
    help: 'HTTP requests served, by route and status.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor(sources: { logHead(): Promise<Position>; feedPosition(): Position | null }) {
    // Node's default metrics under their standard names (process_*, nodejs_*), as dashboards expect.
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'pasid_log_head_position',
      help: 'The last position of the log (all systems), read at scrape time.',
      registers: [this.registry],
      async collect() {
        // Prometheus samples are floats: a head past 2^53 shows rounded here, exact in the API.
        this.set(Number(await sources.logHead()));
      },
    });
    new Gauge({
      name: 'pasid_projection_lag_events',
      help: "Events committed to the log that this process's live feed (what its subscribers see) has not reached yet; 0 when no feed runs.",
      registers: [this.registry],
      async collect() {
        const reached = sources.feedPosition();
        if (reached === null) return this.set(0);
        const lag = (await sources.logHead()) - reached;
        this.set(lag > 0n ? Number(lag) : 0);
      },
    });
  }

  /**
   * The store with its writes measured. Only the two write paths are wrapped; everything else is
   * the store itself.
   */
  instrument(store: EventStore): EventStore {
    const metrics = this;
    const count = (events: readonly StoredEvent[]) => {
      let inputs = 0;
      for (const e of events) if (e.kind === 'input') inputs++;
      if (inputs > 0) metrics.eventsRecorded.inc({ kind: 'input' }, inputs);
      if (events.length > inputs) metrics.eventsRecorded.inc({ kind: 'derived' }, events.length - inputs);
    };
    const outcomeOf = (error: unknown) => {
      const code = (error as { code?: unknown }).code;
      return typeof code === 'string' ? code.toLowerCase() : 'error';
    };
    return new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'appendToStream') {
          return async (...args: Parameters<EventStore['appendToStream']>) => {
            const end = metrics.appendDuration.startTimer({ operation: 'record' });
            try {
              const result = await target.appendToStream(...args);
              end({ outcome: result.idempotentReplay ? 'replayed' : 'ok' });
              if (!result.idempotentReplay) count(result.events);
              return result;
            } catch (error) {
              end({ outcome: outcomeOf(error) });
              throw error;
            }
          };
        }
        if (property === 'importHistory') {
          return async (...args: Parameters<EventStore['importHistory']>) => {
            const end = metrics.appendDuration.startTimer({ operation: 'import' });
            try {
              const result = await target.importHistory(...args);
              end({ outcome: 'ok' });
              const info = await target.getSystem(result.system);
              if (info) {
                metrics.eventsRecorded.inc({ kind: 'input' }, info.version);
                metrics.eventsRecorded.inc({ kind: 'derived' }, info.eventCount - info.version);
              }
              return result;
            } catch (error) {
              end({ outcome: outcomeOf(error) });
              throw error;
            }
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** Times every HTTP request into `pasid_http_request_duration_seconds` by its route. */
  requestTimer(): RequestHandler {
    const known = ['/graphql', '/health', '/livez', '/readyz', '/metrics'];
    return (req, res, next) => {
      const end = this.requests.startTimer();
      res.once('finish', () => {
        const route = known.includes(req.path) ? req.path : 'other';
        end({ route, method: req.method, status: String(res.statusCode) });
      });
      next();
    };
  }

  /** An operation's event stream, counted in `pasid_live_subscriptions` while it is open. */
  countSubscription<T>(iterator: AsyncIterableIterator<T>): AsyncIterableIterator<T> {
    const gauge = this.liveSubscriptions;
    gauge.inc();
    let open = true;
    const close = () => {
      if (open) {
        open = false;
        gauge.dec();
      }
    };
    return {
      async next() {
        try {
          const result = await iterator.next();
          if (result.done) close();
          return result;
        } catch (error) {
          close();
          throw error;
        }
      },
      async return(value?: unknown) {
        close();
        return (await iterator.return?.(value)) ?? { done: true, value: undefined };
      },
      async throw(error?: unknown) {
        close();
        if (iterator.throw) return iterator.throw(error);
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}
