'use server';

import { LedgerError, LedgerUnavailableError, verifyLog } from '@/lib/ledger';
import type { VerifyResult } from '@/lib/ledger/types';

export type VerifyState = { result: VerifyResult | null; error: string | null; at: string | null };

/** Runs the log's integrity check (hash chain, order, gaps) on the API. */
export async function verifyLogAction(_prev: VerifyState): Promise<VerifyState> {
  try {
    return { result: await verifyLog(), error: null, at: new Date().toISOString() };
  } catch (error) {
    if (error instanceof LedgerError || error instanceof LedgerUnavailableError) {
      return { result: null, error: error.message, at: new Date().toISOString() };
    }
    throw error;
  }
}
