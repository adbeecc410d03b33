import { type EventStore, openEventStore } from '@pasid/store';
import type { ApiConfig } from './config.js';

/** The event store the config names: a Postgres server, or the embedded PGlite in the data folder. */
export function openStore(config: ApiConfig): Promise<EventStore> {
  return openEventStore(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir },
  );
}
