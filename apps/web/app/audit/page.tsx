import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { AuditFilters } from '@/components/audit/audit-filters';
import { AuditTable } from '@/components/audit/audit-table';
import { VerifyPanel } from '@/components/audit/verify-panel';
import { getEvents, getSystem } from '@/lib/ledger';
import { filterFromParams, filterToParams } from '@/lib/ledger/filter-params';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Audit' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AuditPage({ searchParams }: Props) {
  const filter = filterFromParams(await searchParams);
  // A mistyped system is a missing page, not an empty log.
  if (filter.system && !(await getSystem(filter.system))) notFound();
  const page = await getEvents(filter, undefined, 200);
  return (
    <div className="stack">
      <div className="two-columns" style={{ gridTemplateColumns: 'minmax(0, 2fr) minmax(280px, 1fr)' }}>
        <section className="panel">
          <h1>Event log</h1>
          <AuditFilters filter={filter} />
        </section>
        <VerifyPanel />
      </div>
      <AuditTable key={filterToParams(filter).toString()} filter={filter} initial={page} />
    </div>
  );
}
