import { readFileSync } from 'node:fs';
import { openEventStore, readPublicKey, type SignedCheckpoint, type VerifyOptions } from '@pasid/store';
import type { Command } from 'commander';
import { storeOptionsFromEnv } from '../env.js';

/** Checkpoints exported with `pasid checkpoint export`: one JSON object a line. */
function readKept(file: string): SignedCheckpoint[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const c = JSON.parse(line) as Partial<SignedCheckpoint>;
      if (!Number.isSafeInteger(c.seq) || typeof c.statement !== 'string' || typeof c.signature !== 'string')
        throw new Error(`${file}: line ${i + 1} is not an exported checkpoint ({seq, statement, signature})`);
      return c as SignedCheckpoint;
    });
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      "check the whole log's hash chains and order (and, with --checkpoints, its signed checkpoints); exit 1 on any breach",
    )
    .option(
      '--checkpoints <public-key-file>',
      "check every checkpoint's signature with this Ed25519 public key (PEM) and the log against each",
    )
    .option(
      '--kept <file>',
      'checkpoints kept outside the server (pasid checkpoint export): each must still be in the log',
    )
    .action(async (options: { checkpoints?: string; kept?: string }) => {
      if (options.kept && !options.checkpoints)
        throw new Error('--kept needs --checkpoints <public-key-file>');
      const verifyOptions: VerifyOptions = {};
      if (options.checkpoints) verifyOptions.publicKey = readPublicKey(readFileSync(options.checkpoints));
      if (options.kept) verifyOptions.kept = readKept(options.kept);
      const store = await openEventStore(storeOptionsFromEnv());
      try {
        const started = performance.now();
        const report = await store.verify(verifyOptions);
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        const breaches = report.breaches.length + (report.checkpoints?.findings.length ?? 0);
        process.stdout.write(
          `checked ${report.eventsChecked} events in ${report.systemsChecked} systems in ${seconds} s: ${report.ok ? 'intact' : `${breaches} breach(es)`}\n`,
        );
        const cp = report.checkpoints;
        if (cp) {
          process.stdout.write(
            `checkpoints: ${cp.stored} stored, ${cp.compared} signed by ${cp.keyId} compared with the log; ${
              cp.last
                ? `signed up to position ${cp.last.position} (checkpoint ${cp.last.seq}, ${cp.last.recordedAt}); ${cp.unsignedEvents} events after it not signed yet`
                : 'nothing signed'
            }\n`,
          );
        }
        for (const breach of report.breaches) {
          const where = [
            `system ${breach.system}`,
            breach.position === null ? null : `position ${breach.position}`,
            breach.version === null ? null : `version ${breach.version}`,
          ].filter(Boolean);
          process.stdout.write(`BREACH ${where.join(', ')}: ${breach.reason}\n`);
        }
        for (const finding of cp?.findings ?? []) {
          const where = [
            finding.seq === null ? null : `checkpoint ${finding.seq}`,
            finding.system === null ? null : `system ${finding.system}`,
            finding.position === null ? null : `position ${finding.position}`,
          ].filter(Boolean);
          process.stdout.write(
            `CHECKPOINT ${where.length ? `${where.join(', ')}: ` : ''}${finding.reason}\n`,
          );
        }
        process.exitCode = report.ok ? 0 : 1;
      } finally {
        await store.close();
      }
    });
}
