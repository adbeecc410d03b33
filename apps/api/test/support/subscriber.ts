import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** A graphql-ws client over `ws`, as a Node program would use it. */
export function wsClient(url: string, token?: string): Client {
  return createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    ...(token === undefined ? {} : { connectionParams: { authorization: `Bearer ${token}` } }),
  });
}

/**
 * Collects what a subscription sends until `done` says so, failing after `timeoutMs`. The
 * subscription is left open (the caller decides when to leave).
 */
export async function collect<T>(
  iterator: AsyncIterator<{ data?: T | null; errors?: unknown }>,
  done: (items: T[]) => boolean,
  timeoutMs = 15_000,
): Promise<T[]> {
  const items: T[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!done(items)) {
    const left = deadline - Date.now();
    if (left <= 0)
      throw new Error(`timed out with ${items.length} items: ${JSON.stringify(items.slice(-3))}`);
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([
      iterator.next(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out with ${items.length} items`)), left);
      }),
    ]).finally(() => clearTimeout(timer));
    if (next.done) throw new Error(`subscription ended after ${items.length} items`);
    if (next.value.errors) throw new Error(`subscription errors: ${JSON.stringify(next.value.errors)}`);
    if (next.value.data) items.push(next.value.data);
  }
  return items;
}
