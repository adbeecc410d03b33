import { createReadStream } from 'node:fs';
import {
  DEFAULT_MAX_PASID,
  DEFAULT_POLICY,
  HistoryError,
  type HistoryHeader,
  HistoryLineReader,
  POLICIES,
  type Policy,
  Replayer,
  type StateDocument,
  toStateDocument,
} from '@pasid/domain';
import type { Command } from 'commander';

export interface ReplayOutcome {
  header: HistoryHeader;
  document: StateDocument;
}

/**
 * Streams a history file through the domain's line reader and Replayer, never holding the whole
 * file. Throws `HistoryError` (with the line) for bad lines and for inputs the rules reject.
 */
export async function replayFile(file: string, policyOverride?: Policy): Promise<ReplayOutcome> {
  const reader = new HistoryLineReader();
  let header: HistoryHeader = {};
  let replayer: Replayer | undefined;
  const replayerFor = () => {
    replayer ??= new Replayer({
      policy: policyOverride ?? header.policy ?? DEFAULT_POLICY,
      maxPasid: header.maxPasid ?? DEFAULT_MAX_PASID,
    });
    return replayer;
  };
  const take = (lines: ReturnType<HistoryLineReader['push']>) => {
    for (const line of lines) {
      if ('header' in line) {
        header = line.header;
        continue;
      }
      const rejection = replayerFor().replay(line.event);
      if (rejection !== undefined) {
        const { code, field, message } = rejection;
        throw new HistoryError(line.line, `${line.event.type} rejected: ${message} (${code})`, field, code);
      }
    }
  };
  // "-" is stdin: `pasid trace FILE... | pasid replay -`.
  const input = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 1 << 16 });
  for await (const chunk of input) {
    take(reader.push(chunk as Buffer));
  }
  take(reader.end());
  return { header, document: toStateDocument(replayerFor().state) };
}

const isPolicy = (value: string): value is Policy => (POLICIES as readonly string[]).includes(value);

export function registerReplay(program: Command): void {
  program
    .command('replay <file>')
    .description('replay a history file ("-" for stdin) in memory (no database) and print the final state')
    .option('--policy <policy>', `override the header's policy (${POLICIES.join(', ')})`)
    .option('--json', 'print exactly one JSON document (the state document of the contract)')
    .action(async (file: string, options: { policy?: string; json?: boolean }) => {
      if (options.policy !== undefined && !isPolicy(options.policy)) {
        process.stderr.write(
          `pasid replay: unknown policy "${options.policy}"; expected one of ${POLICIES.join(', ')}\n`,
        );
        process.exitCode = 1;
        return;
      }
      try {
        const { header, document } = await replayFile(file, options.policy as Policy | undefined);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
        } else {
          // The tables' libraries are loaded only for people, not for --json.
          const [{ formatSummary }, { default: pc }] = await Promise.all([
            import('./replay-summary.js'),
            import('picocolors'),
          ]);
          process.stdout.write(formatSummary(header, document, pc.isColorSupported));
        }
        process.exitCode = 0;
      } catch (error) {
        if (error instanceof HistoryError) {
          process.stderr.write(`pasid replay: ${file}: ${error.message}\n`);
        } else if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          process.stderr.write(`pasid replay: ${file}: no such file\n`);
        } else {
          throw error;
        }
        process.exitCode = 1;
      }
    });
}
