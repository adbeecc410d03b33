'use server';

import { redirect } from 'next/navigation';
import { checkKey, LedgerUnavailableError } from '@/lib/ledger';
import { forgetKey, keepKey } from '@/lib/session';

export interface SignInState {
  error: string | null;
}

/** Where to go after signing in: a path of this app only (never another site). */
function nextPath(value: FormDataEntryValue | null): string {
  const path = typeof value === 'string' ? value : '';
  return path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\') ? path : '/';
}

/**
 * Signs in with an API key: the API is asked whose key it is (`viewer`) before the key is kept,
 * so a mistyped or revoked key is refused here, with the API's reason, and nothing is kept.
 */
export async function signInAction(_prev: SignInState, form: FormData): Promise<SignInState> {
  const key = String(form.get('key') ?? '').trim();
  if (key === '') return { error: 'paste your API key' };
  let checked: Awaited<ReturnType<typeof checkKey>>;
  try {
    checked = await checkKey(key);
  } catch (error) {
    if (error instanceof LedgerUnavailableError) return { error: error.message };
    throw error;
  }
  if (!checked.ok) return { error: `the API refused the key: ${checked.message}` };
  await keepKey(key);
  redirect(nextPath(form.get('next')));
}

export async function signOutAction(): Promise<void> {
  await forgetKey();
  redirect('/');
}
