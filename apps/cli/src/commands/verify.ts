import { openEventStore } from '@pasid/store';
import type { Command } from 'commander';
import { storeOptionsFromEnv } from '../env.js';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description("check the whole log's hash chains and order; exit 1 on any breach")
    .action(async () => {
      const store = await openEventStore(storeOptionsFromEnv());
      try {
        const report = await store.verify();
        process.stdout.write(
          `checked ${report.eventsChecked} events in ${report.systemsChecked} systems: ${report.ok ? 'intact' : `${report.breaches.length} breach(es)`}\n`,
        );
        for (const breach of report.breaches) {
          const where = [
            `system ${breach.system}`,
            breach.position === null ? null : `position ${breach.position}`,
            breach.version === null ? null : `version ${breach.version}`,
          ].filter(Boolean);
          process.stdout.write(`BREACH ${where.join(', ')}: ${breach.reason}\n`);
        }
        process.exitCode = report.ok ? 0 : 1;
      } finally {
        await store.close();
      }
    });
}
