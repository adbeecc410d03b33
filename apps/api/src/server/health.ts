import type { EventStore } from '@pasid/store';
import type { Logger } from '../ops/logger.js';

const TIMEOUT_MS = 3000;

/**
 * Whether the database answers (a trivial query on the store's pool), and how fast.
 */
export async function checkDatabase(
  store: EventStore,
  logger: Logger,
): Promise<{ up: boolean; latencyMs: number; error?: string }> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      store.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]);
    return { up: true, latencyMs: Math.round(performance.now() - start) };
  } catch (error) {
    // The reason stays in the server log: it may hold connection details.
    logger.error({ err: error }, 'health check: the database does not answer');
    return {
      up: false,
      latencyMs: Math.round(performance.now() - start),
      error: 'the database does not answer',
    };
  } finally {
    clearTimeout(timer);
  }
}
