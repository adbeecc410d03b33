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

export interface Readiness {
  ready: boolean;
  status: 'ok' | 'unavailable' | 'shutting down';
  database: Awaited<ReturnType<typeof checkDatabase>>;
  migrations: { pending: string[] | null };
}

/**
 * Whether this replica should take traffic: not shutting down, the database answers, and every
 * migration this code expects is applied (a replica newer than its database must wait).
 */
export async function checkReadiness(
  store: EventStore,
  logger: Logger,
  draining: boolean,
): Promise<Readiness> {
  const database = await checkDatabase(store, logger);
  let pending: string[] | null = null;
  if (database.up) {
    try {
      pending = await store.pendingMigrations();
    } catch (error) {
      logger.error({ err: error }, 'readiness check: could not read the applied migrations');
    }
  }
  const ready = !draining && database.up && pending !== null && pending.length === 0;
  return {
    ready,
    status: draining ? 'shutting down' : ready ? 'ok' : 'unavailable',
    database,
    migrations: { pending },
  };
}
