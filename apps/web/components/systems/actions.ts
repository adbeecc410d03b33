'use server';

import { readHistoryHeader } from '@pasid/domain';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { importHistory, LedgerUnavailableError, POLICY_NAMES, type Policy } from '@/lib/ledger';
import { requestKey } from '@/lib/session';
import { type ImportFile, readImportSource, type TraceConversionReport } from './import-source';

export interface ImportState {
  error: string | null;
  line: number | null;
  /** What was typed, given back so that a rejected form keeps it (React resets a form after its action). */
  fields: { system: string; policy: string; history: string };
  /** A trace was converted: what its readers read, used and left out (shown, then the replay's link). */
  trace?: TraceConversionReport | null;
  /** The converted trace was imported: the system and how many events it holds. */
  imported?: { system: string; events: number } | null;
}

const MAX_BYTES = 50 * 1024 * 1024;
const ECHO_LIMIT = 256 * 1024;

/**
 * Imports a pasted or uploaded history file, then opens the system's replay; or a kernel trace,
 * converted on the server, whose report is shown with a link to the replay.
 */
export async function importHistoryAction(_prev: ImportState, form: FormData): Promise<ImportState> {
  const pasted = String(form.get('history') ?? '');
  const fields = {
    system: String(form.get('system') ?? ''),
    policy: String(form.get('policy') ?? ''),
    // Big pastes are not echoed back: the error names the line to fix.
    history: pasted.length <= ECHO_LIMIT ? pasted : '',
  };
  let trace: TraceConversionReport | null = null;
  const fail = (error: string, line: number | null = null): ImportState => ({ error, line, fields, trace });
  // Writes carry the person's own key: without one there is nobody to record them under.
  if ((await requestKey()) === undefined)
    return fail('sign in to write: imports are recorded under your own key');
  const uploads = form.getAll('file').filter((f): f is File => f instanceof File && f.size > 0);
  const size = uploads.reduce((n, f) => n + f.size, 0);
  if (size > MAX_BYTES) return fail(`the files are larger than ${MAX_BYTES / 1024 / 1024} MB`);
  const files: ImportFile[] =
    uploads.length > 0
      ? await Promise.all(
          uploads.map(async (f) => ({
            name: f.name || 'the file',
            bytes: new Uint8Array(await f.arrayBuffer()),
          })),
        )
      : [{ name: 'the pasted lines', bytes: new TextEncoder().encode(pasted) }];
  const blank = (bytes: Uint8Array) =>
    bytes.every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09);
  if (files.every((f) => blank(f.bytes))) return fail('choose a history or trace file, or paste its lines');
  const policyField = String(form.get('policy') ?? '');
  const policy = (POLICY_NAMES as readonly string[]).includes(policyField)
    ? (policyField as Policy)
    : undefined;
  const typedSystem = String(form.get('system') ?? '').trim();
  // A history or a kernel trace, by content; a trace is converted here (server side).
  const source = await readImportSource(files, { system: typedSystem, policy });
  if (source.kind === 'neither') return fail(source.message, source.line);
  if (source.kind === 'trace') {
    trace = source.report;
    if (typedSystem === '') return fail('name the system: a trace has no header line to take it from');
    if (source.events === 0)
      return fail('the trace holds no lifecycle event the model takes (see the report)');
  }
  const text = source.text;
  const header = readHistoryHeader(text);
  const system = typedSystem || (typeof header?.system === 'string' ? header.system : '');
  if (system === '') return fail('name the system (or put "system" in the header line)');
  let result: Awaited<ReturnType<typeof importHistory>>;
  try {
    result = await importHistory(system, policy, text);
  } catch (error) {
    if (error instanceof LedgerUnavailableError) return fail(error.message);
    throw error;
  }
  if (!result.ok) {
    // A converted trace's lines are not the user's: name the event, not a line they cannot see.
    const message =
      source.kind === 'trace' && result.line !== null
        ? `event ${result.line - 1} of the converted trace: ${result.message}`
        : result.message;
    return fail(message, source.kind === 'trace' ? null : result.line);
  }
  revalidatePath('/');
  if (source.kind === 'trace') {
    // Stay to show the conversion report; the report links to the replay.
    return {
      error: null,
      line: null,
      fields,
      trace,
      imported: { system: result.system, events: source.events },
    };
  }
  redirect(`/systems/${encodeURIComponent(result.system)}`);
}
