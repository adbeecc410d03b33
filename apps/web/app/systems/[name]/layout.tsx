import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { SystemHeader } from '@/components/layout/system-header';
import { SystemSummaryProvider } from '@/components/layout/system-summary';
import { getSystem } from '@/lib/ledger';

export default async function SystemLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ name: string }>;
}) {
  const { name } = await params;
  const system = await getSystem(decodeURIComponent(name));
  if (!system) notFound();
  return (
    <SystemSummaryProvider
      initial={{
        version: system.version,
        eventCount: system.eventCount,
        pasidCount: system.pasidCount,
        hazardCount: system.hazardCount,
      }}
    >
      <SystemHeader system={system} />
      {children}
    </SystemSummaryProvider>
  );
}
