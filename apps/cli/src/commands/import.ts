import { createReadStream } from 'node:fs';
import { POLICIES, type Policy } from '@pasid/domain';
import { HistoryImportError, openEventStore, StoreError } from '@pasid/store';
import type { Command } from 'commander';
import { storeOptionsFromEnv } from '../env.js';

const isPolicy = (value: string): value is Policy => (POLICIES as readonly string[]).includes(value);

export function registerImport(program: Command): void {
  program
    .command('import <file>')
    .description('store a history file in the database (DATABASE_URL, or the embedded one), all or nothing')
    .option('--system <name>', "the system's name (default: the header's)")
    .option('--policy <policy>', `the policy (default: the header's, else MM_EXIT): ${POLICIES.join(', ')}`)
    .action(async (file: string, options: { system?: string; policy?: string }) => {
      if (options.policy !== undefined && !isPolicy(options.policy)) {
        process.stderr.write(
          `pasid import: unknown policy "${options.policy}"; expected one of ${POLICIES.join(', ')}\n`,
        );
        process.exitCode = 1;
        return;
      }
      const store = await openEventStore(storeOptionsFromEnv());
      try {
        // Streamed: the file is never held whole; one transaction, so an error stores nothing.
        const result = await store.importHistory(createReadStream(file, { highWaterMark: 1 << 20 }), {
          system: options.system,
          policy: options.policy as Policy | undefined,
          actor: 'cli',
        });
        process.stdout.write(
          `${result.system}\nlast position ${result.lastPosition} (version ${result.version})\n`,
        );
        process.exitCode = 0;
      } catch (error) {
        if (error instanceof HistoryImportError) {
          process.stderr.write(`pasid import: ${file}: ${error.message}\n`);
        } else if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          process.stderr.write(`pasid import: ${file}: no such file\n`);
        } else if (error instanceof StoreError) {
          process.stderr.write(`pasid import: ${file}: ${error.message}\n`);
        } else {
          throw error;
        }
        process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
