#!/usr/bin/env node
import type { ApiKeyRole } from '@pasid/store';
import { Command, InvalidArgumentError } from 'commander';
import { ROLE_ORDER } from './auth/roles.js';
import { ConfigError, loadConfig } from './config.js';
import { openStore } from './store.js';

/**
 * `pasid-api-keys create NAME --role writer | revoke NAME | list`: API keys in the database the
 * API's own environment names (DATABASE_URL, or the embedded one in PASID_DATA_DIR; stop the API
 * first on the embedded database, which one process opens at a time).
 */
const program = new Command('pasid-api-keys').description('Create, revoke and list API keys.');

function role(value: string): ApiKeyRole {
  if (!(ROLE_ORDER as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of ${ROLE_ORDER.join(', ')}`);
  }
  return value as ApiKeyRole;
}

async function withStore<T>(work: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const store = await openStore(loadConfig());
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

program
  .command('create')
  .argument('<name>', "the key's name; it becomes the actor of the events it records")
  .option('--role <role>', `one of ${ROLE_ORDER.join(', ')}`, role, 'reader' as ApiKeyRole)
  .description('create a key and print its token (shown once; only its hash is stored)')
  .action(async (name: string, options: { role: ApiKeyRole }) => {
    const { token, key } = await withStore((store) => store.apiKeys.create(name, options.role));
    console.error(`created key "${key.name}" with role ${key.role}; the token (shown once):`);
    console.log(token);
  });

program
  .command('revoke')
  .argument('<name>')
  .description('revoke a key: requests carrying it are refused from now on')
  .action(async (name: string) => {
    const revoked = await withStore((store) => store.apiKeys.revoke(name));
    if (!revoked) {
      console.error(`no live key named "${name}"`);
      process.exitCode = 1;
      return;
    }
    console.log(`revoked "${name}"`);
  });

program
  .command('list')
  .description('list keys (names, roles, dates; never tokens)')
  .action(async () => {
    const keys = await withStore((store) => store.apiKeys.list());
    for (const k of keys) {
      const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'live';
      console.log(`${k.name}\t${k.role}\t${k.createdAt.toISOString()}\t${state}`);
    }
  });

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`pasid-api-keys: ${error.message}`);
    process.exitCode = 2;
  } else {
    console.error(`pasid-api-keys: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
