import type { Policy } from '@pasid/domain';
import { historyHeaderLine, historyLine, TraceError, TraceReport, traceInputs } from '@pasid/trace';

/** What `pasid trace` said about a converted trace, for the import form to show. */
export type TraceConversionReport = ReturnType<TraceReport['toJSON']>;

export type ImportSource =
  | { kind: 'history'; text: string }
  | { kind: 'trace'; text: string; events: number; report: TraceConversionReport }
  | { kind: 'neither'; message: string; line: number | null };

const READERS = 'perf script, trace-cmd report, tracefs trace, pasid.bt, dmesg or journalctl -k';
/** How far into the file the first line that says what it is may be. */
const PEEK_BYTES = 64 * 1024;

/** One uploaded file (or the pasted lines) as bytes. */
export interface ImportFile {
  name: string;
  bytes: Uint8Array;
}

/**
 * What uploaded or pasted files are, found by their content (never their names): a history (JSON
 * Lines: its first line that is not blank is a JSON object) is imported as it is; anything else
 * is read as a kernel trace by @pasid/trace (the readers of `pasid trace`, several files merged by
 * time) and converted into a history here, on the server, with its report. A file that is
 * neither says so, naming the file and the line.
 */
export async function readImportSource(
  files: readonly ImportFile[],
  options: { system: string; policy?: Policy },
): Promise<ImportSource> {
  const histories = files.filter((f) => isHistory(f.bytes));
  if (histories.length > 0) {
    if (files.length > 1) {
      const name = (histories[0] as ImportFile).name;
      return {
        kind: 'neither',
        line: null,
        message: `${name} is a history: import it alone, not with other files`,
      };
    }
    return { kind: 'history', text: new TextDecoder().decode((files[0] as ImportFile).bytes) };
  }

  const report = new TraceReport();
  let text = `${historyHeaderLine({ system: options.system, policy: options.policy })}\n`;
  let events = 0;
  try {
    const sources = files.map((f) => ({ name: f.name, chunks: chunksOf(f.bytes) }));
    for await (const batch of traceInputs(sources, { policy: options.policy }, report)) {
      for (const input of batch) text += `${historyLine(input)}\n`;
      events += batch.length;
    }
  } catch (error) {
    if (!(error instanceof TraceError)) throw error;
    const line = error.line ?? null;
    const where = `${error.file}${line === null ? '' : `, line ${line}`}: `;
    if (error.reason.startsWith('not a trace this tool reads')) {
      return {
        kind: 'neither',
        line,
        message: `${where}neither a history (one JSON object a line) nor a kernel trace the importer reads (${READERS})`,
      };
    }
    return { kind: 'neither', line, message: `${where}${error.reason}` };
  }
  return { kind: 'trace', text, events, report: report.toJSON() };
}

function isHistory(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, PEEK_BYTES));
  const first = head.split('\n').find((l) => l.trim() !== '');
  return first?.trimStart().startsWith('{') ?? false;
}

/** The whole file as chunks of 32 KiB, as `pasid trace` reads a file. */
async function* chunksOf(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += 1 << 15) yield bytes.subarray(at, at + (1 << 15));
}
