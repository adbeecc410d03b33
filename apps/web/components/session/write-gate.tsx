import Link from 'next/link';
import type { ReactNode } from 'react';
import { canWrite, type Viewer } from '@/lib/ledger';

/**
 * Shows `children` (a form that writes) to a person whose key may write; anyone else is told why
 * not and how to, instead of a form the API would refuse.
 */
export function WriteGate({ viewer, next, children }: { viewer: Viewer; next: string; children: ReactNode }) {
  if (canWrite(viewer)) return children;
  const signIn = `/sign-in?next=${encodeURIComponent(next)}`;
  return (
    <div className="notice" data-testid="sign-in-to-write">
      {viewer.state === 'signed-in' ? (
        <p>
          Your key <strong>{viewer.name}</strong> is a {viewer.role} key: it reads, but cannot write.{' '}
          <Link href={signIn}>Sign in</Link> with a writer key to import.
        </p>
      ) : (
        <p>
          <Link href={signIn}>Sign in to write</Link>: imports are recorded in the log under your own key's
          name.
        </p>
      )}
    </div>
  );
}
