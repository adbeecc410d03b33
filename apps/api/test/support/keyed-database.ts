import { loadConfig, openStore } from '@pasid/api';
import { createTestDatabase } from '@pasid/testing';
import { ok } from './client.js';

/** A fresh test database with one writer key ("tracer") and one reader key ("watcher"). */
export async function createKeyedDatabase(): Promise<{
  database: Awaited<ReturnType<typeof createTestDatabase>>;
  writer: string;
  reader: string;
}> {
  const database = await createTestDatabase('api');
  const store = await openStore(loadConfig({ DATABASE_URL: database.url }));
  try {
    const writer = (await store.apiKeys.create('tracer', 'writer')).token;
    const reader = (await store.apiKeys.create('watcher', 'reader')).token;
    return { database, writer, reader };
  } finally {
    await store.close();
  }
}

/** Creates the named systems under one policy through the API, as a client would. */
export async function createSystems(url: string, token: string, policy: string, ...names: string[]) {
  for (const name of names) {
    await ok(
      url,
      `mutation { createSystem(input: { name: "${name}", policy: ${policy} }) { name } }`,
      {},
      token,
    );
  }
}
