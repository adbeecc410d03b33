import Link from 'next/link';
import { getViewer, LedgerUnavailableError } from '@/lib/ledger';
import { signOutAction } from './actions';

/** The header's corner: who is signed in (their key's name and role), or the way to sign in. */
export async function ViewerStatus() {
  let viewer: Awaited<ReturnType<typeof getViewer>>;
  try {
    viewer = await getViewer();
  } catch (error) {
    // The page itself says the API is down; the header stays drawn.
    if (error instanceof LedgerUnavailableError) return null;
    throw error;
  }
  if (viewer.state === 'signed-out')
    return (
      <Link href="/sign-in" className="viewer" data-testid="viewer">
        Sign in
      </Link>
    );
  return (
    <form action={signOutAction} className="viewer" data-testid="viewer">
      {viewer.state === 'signed-in' ? (
        <span>
          signed in as <strong data-testid="viewer-name">{viewer.name}</strong>{' '}
          <span className="muted small">({viewer.role})</span>
        </span>
      ) : (
        <Link href="/sign-in" className="hazard-text">
          key refused: sign in again
        </Link>
      )}
      <button type="submit" className="link-button">
        Sign out
      </button>
    </form>
  );
}
