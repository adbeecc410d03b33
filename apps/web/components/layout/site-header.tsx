import Link from 'next/link';
import { ViewerStatus } from '@/components/session/viewer-status';

export function SiteHeader() {
  return (
    <header className="site-header">
      <Link href="/" className="brand">
        PASID Ledger
      </Link>
      <nav>
        <Link href="/">Systems</Link>
        <Link href="/audit">Audit</Link>
      </nav>
      <ViewerStatus />
    </header>
  );
}
