import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { EventDetail } from '@/components/events/event-detail';
import { PositionError } from '@/components/replay/position-error';
import { getEventDetail, getSystem } from '@/lib/ledger';
import { parsePosition } from '@/lib/replay/position';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ name: string; version: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { name, version } = await params;
  return { title: `Event ${version} of ${decodeURIComponent(name)}` };
}

export default async function EventPage({ params }: Props) {
  const { name: raw, version: rawVersion } = await params;
  const name = decodeURIComponent(raw);
  const system = await getSystem(name);
  if (!system) notFound();
  const position = parsePosition(rawVersion, system.version);
  if (!position.ok || position.at === 0) {
    return (
      <PositionError
        href={`/systems/${encodeURIComponent(name)}`}
        message={position.ok ? 'Step 0 is the empty start: no event.' : position.message}
        version={system.version}
      />
    );
  }
  const detail = await getEventDetail(name, position.at);
  if (!detail) notFound();
  return (
    <EventDetail
      system={name}
      version={position.at}
      last={system.version}
      input={detail.input}
      derived={detail.derived}
    />
  );
}
