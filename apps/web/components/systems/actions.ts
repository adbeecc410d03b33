'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { importHistory, LedgerUnavailableError, POLICY_NAMES, type Policy } from '@/lib/ledger';

export interface ImportState {
  error: string | null;
  line: number | null;
  /** What was typed, given back so that a rejected form keeps it (React resets a form after its action). */
  fields: { system: string; policy: string; history: string };
}

const MAX_BYTES = 50 * 1024 * 1024;
const ECHO_LIMIT = 256 * 1024;

/** Imports a pasted or uploaded history file, then opens the system's replay. */
export async function importHistoryAction(_prev: ImportState, form: FormData): Promise<ImportState> {
  const file = form.get('file');
  const pasted = String(form.get('history') ?? '');
  const fields = {
    system: String(form.get('system') ?? ''),
    policy: String(form.get('policy') ?? ''),
    // Big pastes are not echoed back: the error names the line to fix.
    history: pasted.length <= ECHO_LIMIT ? pasted : '',
  };
  const fail = (error: string, line: number | null = null): ImportState => ({ error, line, fields });
  let text = pasted;
  if (file instanceof File && file.size > 0) {
    if (file.size > MAX_BYTES) return fail(`the file is larger than ${MAX_BYTES / 1024 / 1024} MB`);
    text = await file.text();
  }
  if (text.trim() === '') return fail('choose a history file or paste its lines');
  const header = firstHeader(text);
  const system = String(form.get('system') ?? '').trim() || header.system || '';
  if (system === '') return fail('name the system (or put "system" in the header line)');
  const policyField = String(form.get('policy') ?? '');
  const policy = (POLICY_NAMES as readonly string[]).includes(policyField)
    ? (policyField as Policy)
    : undefined;
  let result: Awaited<ReturnType<typeof importHistory>>;
  try {
    result = await importHistory(system, policy, text);
  } catch (error) {
    if (error instanceof LedgerUnavailableError) return fail(error.message);
    throw error;
  }
  if (!result.ok) return fail(result.message, result.line);
  revalidatePath('/');
  redirect(`/systems/${encodeURIComponent(result.system)}`);
}

function firstHeader(text: string): { system?: string } {
  const first = text.split('\n').find((l) => l.trim() !== '');
  if (!first) return {};
  try {
    const value = JSON.parse(first) as unknown;
    if (value && typeof value === 'object' && !('type' in value) && 'system' in value) {
      const system = (value as { system: unknown }).system;
      return typeof system === 'string' ? { system } : {};
    }
  } catch {
    // Not JSON: the API reports the line.
  }
  return {};
}
