import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { LiveView } from '@/components/live/live-view';
import { env } from '@/lib/env';
import { getState, getStream, getSystem, getViewer } from '@/lib/ledger';
import { lastOf } from '@/lib/ledger/log-position';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Live ${decodeURIComponent((await params).name)}` };
}

export default async function LivePage({ params }: Props) {
  const name = decodeURIComponent((await params).name);
  const system = await getSystem(name);
  if (!system) notFound();
  const [state, lastStep, viewer] = await Promise.all([
    getState(name, system.version),
    system.version > 0 ? getStream(name, system.version, system.version) : Promise.resolve([]),
    getViewer(),
  ]);
  // Subscribe after the last event already in this state: no gap and no duplicate in between.
  const after = lastOf(lastStep.map((e) => e.position));
  return (
    <LiveView
      system={name}
      wsTarget={env().apiWs}
      apiUrl={env().apiUrl}
      initialState={state}
      initialEventCount={system.eventCount}
      maxPasid={system.maxPasid}
      after={after}
      signedIn={viewer.state !== 'signed-out'}
    />
  );
}
