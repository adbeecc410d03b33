import type { Metadata } from 'next';
import { SignInForm } from '@/components/session/sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };
export const dynamic = 'force-dynamic';

type Props = { searchParams: Promise<{ next?: string | string[]; reason?: string | string[] }> };

/** Why a page sent the person here (lib/ledger/client.ts). */
const REASONS: Record<string, string> = {
  'key-needed': 'This ledger needs a key to read (READS_REQUIRE_KEY): sign in to see it.',
  refused: 'The API refused the key you signed in with (revoked?): sign in again.',
};

export default async function SignInPage({ searchParams }: Props) {
  const { next, reason } = await searchParams;
  const why = typeof reason === 'string' ? REASONS[reason] : undefined;
  return (
    <section className="panel narrow">
      <h1>Sign in</h1>
      {why ? (
        <div className="error-box" role="status" data-testid="sign-in-reason">
          {why}
        </div>
      ) : null}
      <p className="muted small">
        With your own API key: what you import and record is logged under its name, and the API's read rules
        apply to you. The key is kept in a cookie that this site's scripts cannot read, and forgotten when you
        sign out or close the browser.
      </p>
      <SignInForm next={typeof next === 'string' ? next : '/'} />
      <p className="muted small">
        No key? An operator creates one with <code>node apps/api/dist/keys.js create NAME --role writer</code>
        . On your own machine, <code>npm start</code> prints one at start (also in{' '}
        <code>.data/sign-in-key</code>).
      </p>
    </section>
  );
}
