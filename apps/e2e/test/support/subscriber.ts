import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface Subscriber<T> {
  /** Resolves once `count` results have arrived (all results so far). */
  next(count: number, timeoutMs?: number): Promise<T[]>;
  close(): Promise<void>;
}

/** A real graphql-ws client on `url` (ws://.../graphql) running one subscription. */
export async function subscribe<T>(url: string, query: string): Promise<Subscriber<T>> {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    // The subscription's error sink reports a closed socket; no second report on the console.
    onNonLazyError: () => {},
  });
  const results: T[] = [];
  const waiters: (() => void)[] = [];
  let failure: unknown;
  let acknowledged!: () => void;
  const subscribed = new Promise<void>((resolve) => {
    acknowledged = resolve;
  });
  client.on('connected', () => acknowledged());
  const dispose = client.subscribe<T>(
    { query },
    {
      next: ({ data, errors }) => {
        if (errors?.length) failure = new Error(errors.map((e) => e.message).join('; '));
        else if (data) results.push(data as T);
        for (const wake of waiters.splice(0)) wake();
      },
      error: (error) => {
        failure = error;
        for (const wake of waiters.splice(0)) wake();
      },
      complete: () => {},
    },
  );
  await subscribed;
  // The server registers the subscription right after the connection ack; give it that turn.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return {
    async next(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (results.length < count) {
        if (failure) throw failure;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`only ${results.length} of ${count} results within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return results.slice();
    },
    async close() {
      dispose();
      await client.dispose();
    },
  };
}
