import type { EventStore } from '@pasid/store';
import type { Logger } from '../ops/logger.js';

const TIMEOUT_MS = 3000;

/**
 * Whether the database answers, and how fast. The store has no ping, so this asks it for the list
 * of systems, a small query on the same connection pool.
 */
export async function checkDatabase(
  store: EventStore,
  logger: Logger,
): Promise<{ up: boolean; latencyMs: number; error?: string }> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      store.listSystems(),
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
