import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { POLICIES } from '@pasid/domain';
import {
  historyHeaderLine,
  historyLine,
  TRACE_KINDS,
  TraceError,
  TraceReport,
  type TraceSource,
  traceInputs,
} from '@pasid/trace';
import type { Command } from 'commander';
import { checkOptions, type TraceCommandOptions, UsageError } from './trace-options.js';

/**
 * A file (or "-" for stdin) as chunks of 32 KiB: the trace is streamed, never held. Small chunks
 * keep each batch's facts young enough to die in the young generation: with 1 MiB chunks the
 * 1,000,000-line bench ran twice as long and peaked 80 MB higher. Stdin is read the same way
 * (fd 0), not through process.stdin, whose 64 KiB chunks peaked 50 MB higher on the same trace.
 */
export function fileSource(file: string): TraceSource {
  const chunks =
    file === '-'
      ? createReadStream('', { fd: 0, highWaterMark: 1 << 15, autoClose: false })
      : createReadStream(file, { highWaterMark: 1 << 15 });
  return { name: file, chunks };
}

/**
 * The trace as a history file. Written to a temporary file renamed at the end, so a strict
 * failure leaves nothing behind; to stdout it streams (under --strict it is held in a temporary
 * file until the whole trace was read).
 */
async function writeHistory(
  files: string[],
  options: TraceCommandOptions,
  report: TraceReport,
): Promise<void> {
  const checked = checkOptions(options);
  const toStdout = options.out === undefined || options.out === '-';
  const direct = toStdout && !options.strict;
  const target = toStdout ? undefined : path.resolve(options.out as string);
  const temporary = direct
    ? undefined
    : path.join(
        target ? path.dirname(target) : (process.env.TMPDIR ?? '/tmp'),
        `.pasid-trace-${process.pid}-${Date.now()}.jsonl`,
      );
  const out = temporary ? createWriteStream(temporary) : process.stdout;
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve()));
  try {
    await write(
      `${historyHeaderLine({ system: options.system, policy: checked.policy, maxPasid: checked.maxPasid })}\n`,
    );
    const inputs = traceInputs(files.map(fileSource), { ...checked, strict: options.strict }, report);
    for await (const batch of inputs) {
      if (batch.length === 0) continue;
      let text = '';
      for (const input of batch) text += `${historyLine(input)}\n`;
      await write(text);
    }
    if (temporary) {
      out.end();
      await finished(out);
      if (target) await rename(temporary, target);
      else await finished(createReadStream(temporary).pipe(process.stdout, { end: false }));
    }
  } finally {
    if (temporary) {
      if (!out.writableEnded) out.destroy();
      await rm(temporary, { force: true });
    }
  }
}

export function registerTrace(program: Command): void {
  program
    .command('trace <files...>')
    .description(
      'turn a kernel trace (perf script, trace-cmd report, tracefs, pasid.bt, kernel log) into a history, or --follow it into an API',
    )
    .option('--format <format>', `skip detection: every file is in this format (${TRACE_KINDS.join(', ')})`)
    .option('--out <history>', 'write the history here (default: stdout)')
    .option('--system <name>', "the history's system name")
    .option('--policy <policy>', `the history's policy (${POLICIES.join(', ')})`)
    .option(
      '--max-pasid <n>',
      "the traced machine's PASID space (PASIDs 1..n-1; its devices' max_pasids), for the model and the history's header",
    )
    .option('--strict', 'exit 1 at the first line that is skipped, naming its file and line')
    .option('--boot-time <time>', 'when the traced machine booted (RFC 3339 or epoch seconds), for "at"')
    .option('--follow', 'read a live trace (a growing file or a pipe) and record it into a running API')
    .option('--api <url>', 'the API to record into (--follow), e.g. http://localhost:4000/graphql')
    .option('--key <key>', 'an API key with the writer role (--follow)')
    .option('--batch <n>', 'at most this many events per recordEvents call (--follow)', '500')
    .action(async (files: string[], options: TraceCommandOptions) => {
      const report = new TraceReport();
      try {
        if (options.follow) {
          const { followTrace } = await import('./trace-follow.js');
          await followTrace(files, options, report);
        } else {
          await writeHistory(files, options, report);
        }
        process.stderr.write(report.format());
        process.exitCode = 0;
      } catch (error) {
        if (error instanceof TraceError || error instanceof UsageError) {
          if (report.sources.length > 0) process.stderr.write(report.format());
          process.stderr.write(`pasid trace: ${error.message}\n`);
        } else if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          process.stderr.write(`pasid trace: ${(error as NodeJS.ErrnoException).path ?? ''}: no such file\n`);
        } else {
          throw error;
        }
        process.exitCode = 1;
      }
    });
}
