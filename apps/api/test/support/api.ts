import { type ApiConfig, loadConfig, openStore, type RunningApi, startApiServer } from '@pasid/api';
import type { EventStore } from '@pasid/store';
import { createTestDatabase } from '@pasid/testing';

export interface TestApi {
  url: string;
  wsUrl: string;
  databaseUrl: string;
  store: EventStore;
  api: RunningApi;
  tokens: { admin: string; writer: string; reader: string };
  close(): Promise<void>;
}

/**
 * A real API server on an ephemeral port over a fresh Postgres database, with one key per role.
 * `wrap` lets a test observe the store's calls (the server gets the wrapped store).
 */
export async function startTestApi(
  env: Record<string, string> = {},
  wrap: (store: EventStore) => EventStore = (s) => s,
): Promise<TestApi> {
  const database = await createTestDatabase('api');
  const config: ApiConfig = loadConfig({ API_PORT: '0', DATABASE_URL: database.url, ...env });
  const store = await openStore(config);
  const tokens = {
    admin: (await store.apiKeys.create('alice-admin', 'admin')).token,
    writer: (await store.apiKeys.create('tracer-7', 'writer')).token,
    reader: (await store.apiKeys.create('auditor', 'reader')).token,
  };
  const api = await startApiServer(wrap(store), config);
  return {
    url: api.url,
    wsUrl: api.url.replace(/^http/, 'ws'),
    databaseUrl: database.url,
    store,
    api,
    tokens,
    async close() {
      await api.close();
      await store.close();
      await database.drop();
    },
  };
}
