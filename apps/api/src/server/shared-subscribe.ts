import { createSourceEventStream, type ExecutionArgs, type ExecutionResult, execute } from 'graphql';

/**
 * graphql-js's `subscribe`, except that one event sent to many subscriptions with the same
 * operation (same text, variables and operation name) is executed once and the result shared.
 * The live feed hands every subscriber the same event object, so a thousand clients of
 * `eventAppended` cost one execution per append instead of a thousand. Only for fields whose
 * result does not depend on who asks (true of every subscription field here).
 */
export function createSharedSubscribe() {
  /** The sharing key of each parsed document (set by the caller in onSubscribe). */
  const keys = new WeakMap<object, string>();
  const results = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

  const executeShared = (args: ExecutionArgs, payload: unknown): Promise<ExecutionResult> => {
    const key = keys.get(args.document);
    if (key === undefined || typeof payload !== 'object' || payload === null) {
      return Promise.resolve(execute({ ...args, rootValue: payload }));
    }
    let byKey = results.get(payload);
    if (!byKey) {
      byKey = new Map();
      results.set(payload, byKey);
    }
    let result = byKey.get(key);
    if (!result) {
      result = Promise.resolve(execute({ ...args, rootValue: payload }));
      byKey.set(key, result);
    }
    return result;
  };

  return {
    /** Marks a document as shareable under `key` (query text, variables, operation name). */
    share(document: ExecutionArgs['document'], key: string) {
      keys.set(document, key);
    },

    async subscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
      const stream = await createSourceEventStream(args);
      if (!(Symbol.asyncIterator in stream)) return stream as ExecutionResult;
      const events = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      const iterator: AsyncIterableIterator<ExecutionResult> = {
        async next(): Promise<IteratorResult<ExecutionResult>> {
          const event = await events.next();
          if (event.done) return { done: true, value: undefined };
          return { done: false, value: await executeShared(args, event.value) };
        },
        async return(): Promise<IteratorResult<ExecutionResult>> {
          await events.return?.();
          return { done: true, value: undefined };
        },
        async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
          await events.return?.();
          throw error;
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },
  };
}
