import { once } from 'node:events';
import { openEventStore, StoreError } from '@pasid/store';
import type { Command } from 'commander';
import { storeOptionsFromEnv } from '../env.js';

export function registerExport(program: Command): void {
  program
    .command('export <system>')
    .description('print a stored history as a history file (input events only; imports back as it was)')
    .action(async (system: string) => {
      const store = await openEventStore(storeOptionsFromEnv());
      try {
        for await (const line of store.exportHistory(system)) {
          if (!process.stdout.write(line)) await once(process.stdout, 'drain');
        }
        process.exitCode = 0;
      } catch (error) {
        if (!(error instanceof StoreError)) throw error;
        process.stderr.write(`pasid export: ${error.message}\n`);
        process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
