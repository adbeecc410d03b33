import type { StoredEvent, Subscription } from '@pasid/store';

/**
 * A store subscription mapped (and filtered: `undefined` skips) into what a GraphQL subscription
 * yields. Closing it (the client leaves) closes the store subscription at once, even while a
 * `next()` is waiting, which an async generator's `return()` could not do.
 */
export function mapSubscription<T>(
  source: Subscription,
  map: (event: StoredEvent) => T | undefined | Promise<T | undefined>,
  first?: () => Promise<T>,
): AsyncIterableIterator<T> {
  const events = source[Symbol.asyncIterator]();
  let pendingFirst = first;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await source.close();
  };
  const done = (): IteratorResult<T> => ({ done: true, value: undefined });
  return {
    async next(): Promise<IteratorResult<T>> {
      if (pendingFirst) {
        const take = pendingFirst;
        pendingFirst = undefined;
        return { done: false, value: await take() };
      }
      while (!closed) {
        const result = await events.next();
        if (result.done) return done();
        const value = await map(result.value);
        if (value !== undefined) return { done: false, value };
      }
      return done();
    },
    async return(): Promise<IteratorResult<T>> {
      await close();
      return done();
    },
    async throw(error: unknown): Promise<IteratorResult<T>> {
      await close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
