import { createReadStream, statSync } from 'node:fs';
import { POLICIES, type Policy } from '@pasid/domain';
import { HistoryImportError, type ImportProgress, openEventStore, StoreError } from '@pasid/store';
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
      const progress = progressLine(file);
      try {
        // Streamed: the file is never held whole; one transaction, so an error stores nothing.
        const result = await store.importHistory(createReadStream(file, { highWaterMark: 1 << 20 }), {
          system: options.system,
          policy: options.policy as Policy | undefined,
          actor: 'cli',
          onProgress: progress.update,
        });
        progress.done();
        process.stdout.write(
          `${result.system}\nlast position ${result.lastPosition} (version ${result.version})\n`,
        );
        process.exitCode = 0;
      } catch (error) {
        progress.stop();
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

const number = (n: number) => n.toLocaleString('en-US');
const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);

/**
 * The import's progress on stderr: on a terminal one line rewritten in place; elsewhere (a log, a
 * pipe) a line at most every 2 s. Then a last line with the totals and the rate.
 */
function progressLine(file: string) {
  let total: number | null = null;
  try {
    total = statSync(file).size;
  } catch {
    // No size (a FIFO, a missing file): the line shows bytes read only.
  }
  const tty = process.stderr.isTTY === true;
  const start = performance.now();
  let lastWrite = Number.NEGATIVE_INFINITY;
  let shown = false;
  let last: ImportProgress | undefined;
  const describe = (p: ImportProgress) => {
    const seconds = (performance.now() - start) / 1000;
    const share = total
      ? ` ${Math.floor((100 * p.bytes) / total)}% (${megabytes(p.bytes)} of ${megabytes(total)} MB),`
      : '';
    const rate = seconds > 0 ? `, ${number(Math.round(p.inputs / seconds))} events/s` : '';
    return `pasid import: ${file}:${share} ${number(p.inputs)} events decided, ${number(p.events)} stored${rate}`;
  };
  return {
    update: (p: ImportProgress) => {
      last = p;
      const now = performance.now();
      if (tty) {
        process.stderr.write(`\r${describe(p)}\x1b[K`);
        shown = true;
      } else if (now - lastWrite >= 2000 && !(total !== null && p.bytes >= total)) {
        // The whole file read: the totals' line comes next, no need for this one.
        process.stderr.write(`${describe(p)}\n`);
        lastWrite = now;
      }
    },
    done: () => {
      const seconds = (performance.now() - start) / 1000;
      const p = last ?? { lines: 0, inputs: 0, events: 0, bytes: 0 };
      const rate = seconds > 0 ? ` (${number(Math.round(p.inputs / seconds))} events/s)` : '';
      process.stderr.write(
        `${tty && shown ? '\r' : ''}pasid import: ${file}: ${number(p.inputs)} events (${number(p.events)} stored with the derived ones) in ${seconds.toFixed(1)} s${rate}${tty ? '\x1b[K' : ''}\n`,
      );
    },
    stop: () => {
      if (tty && shown) process.stderr.write('\n');
    },
  };
}
