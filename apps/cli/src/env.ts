import type { OpenStoreOptions } from '@pasid/store';

/**
 * The environment the database commands read, parsed once: `DATABASE_URL` (a Postgres server)
 * or else the embedded database in `PASID_DATA_DIR` (default `.data/`).
 */
export function storeOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): OpenStoreOptions {
  const url = env.DATABASE_URL?.trim();
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new Error(`DATABASE_URL must be a postgres:// or postgresql:// URL, got "${url}"`);
    }
    return { databaseUrl: url };
  }
  const dataDir = env.PASID_DATA_DIR?.trim();
  return { dataDir: dataDir ? dataDir : '.data' };
}

/** `PASID_CHECKPOINT_KEY`: the file of the Ed25519 private key that signs checkpoints, if set. */
export function checkpointKeyFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env.PASID_CHECKPOINT_KEY?.trim();
  return file ? file : undefined;
}
