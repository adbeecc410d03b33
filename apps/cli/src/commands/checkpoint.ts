import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { openEventStore, parseStatement, publicKeyPem, readPrivateKey, StoreError } from '@pasid/store';
import type { Command } from 'commander';
import { checkpointKeyFromEnv, storeOptionsFromEnv } from '../env.js';

/** The private key file: `--key`, else `PASID_CHECKPOINT_KEY`. */
function keyFile(option: string | undefined): string {
  const file = option ?? checkpointKeyFromEnv();
  if (!file) throw new Error('no checkpoint key: give --key FILE or set PASID_CHECKPOINT_KEY');
  return file;
}

export function registerCheckpoint(program: Command): void {
  const checkpoint = program
    .command('checkpoint')
    .description('signed checkpoints of the log (Ed25519): keys, signing, export for auditors');

  checkpoint
    .command('keygen <private-key-file>')
    .description(
      'create an Ed25519 key pair: the private key to FILE (mode 0600, never overwritten), the public key (PEM) to stdout',
    )
    .action((file: string) => {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      process.stdout.write(publicKeyPem(publicKey));
    });

  checkpoint
    .command('public-key')
    .description('print the public key (PEM) of the checkpoint key: what auditors keep')
    .option('--key <file>', 'the private key (default: PASID_CHECKPOINT_KEY)')
    .action((options: { key?: string }) => {
      process.stdout.write(publicKeyPem(readPrivateKey(readFileSync(keyFile(options.key)))));
    });

  checkpoint
    .command('sign')
    .description("sign the log's head now (after checking the events since the last checkpoint)")
    .option('--key <file>', 'the private key (default: PASID_CHECKPOINT_KEY)')
    .action(async (options: { key?: string }) => {
      const key = readPrivateKey(readFileSync(keyFile(options.key)));
      const store = await openEventStore(storeOptionsFromEnv());
      try {
        const signed = await store.signCheckpoint(key);
        const statement = signed && parseStatement(signed.statement);
        if (!statement || typeof statement === 'string') throw new Error('no checkpoint was signed');
        process.stdout.write(
          `checkpoint ${statement.seq} at position ${statement.position} (${statement.heads.length} systems), signed ${statement.recordedAt} by ${statement.keyId}\n`,
        );
      } catch (error) {
        if (!(error instanceof StoreError)) throw error;
        process.stderr.write(`pasid checkpoint sign: ${error.message}\n`);
        process.exitCode = 1;
      } finally {
        await store.close();
      }
    });

  checkpoint
    .command('export')
    .description(
      'print the stored checkpoints as JSON lines ({seq, statement, signature}): keep them outside the server',
    )
    .option('--after <seq>', 'only the checkpoints after this one', (v) => Number.parseInt(v, 10), 0)
    .action(async (options: { after: number }) => {
      const store = await openEventStore(storeOptionsFromEnv());
      try {
        for (const c of await store.checkpoints(options.after)) {
          const line = `${JSON.stringify({ seq: c.seq, statement: c.statement, signature: c.signature })}\n`;
          if (!process.stdout.write(line)) await once(process.stdout, 'drain');
        }
      } finally {
        await store.close();
      }
    });
}
