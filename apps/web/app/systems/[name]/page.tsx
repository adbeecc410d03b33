import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { PositionError } from '@/components/replay/position-error';
import { ReplayView } from '@/components/replay/replay-view';
import { getFreed, getHazards, getStates, getStream, getSystem } from '@/lib/ledger';
import { packHazards } from '@/lib/replay/hazard-codec';
import { parsePosition } from '@/lib/replay/position';

export const dynamic = 'force-dynamic';

type Props = {
  params: Promise<{ name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Replay ${decodeURIComponent((await params).name)}` };
}

/** Timeline rows rendered with the page, around the position; the rest load as the list scrolls. */
const WINDOW = 40;

export default async function ReplayPage({ params, searchParams }: Props) {
  const name = decodeURIComponent((await params).name);
  const system = await getSystem(name);
  if (!system) notFound();
  const position = parsePosition((await searchParams).at, system.version);
  if (!position.ok) {
    return (
      <PositionError
        href={`/systems/${encodeURIComponent(name)}`}
        message={position.message}
        version={system.version}
      />
    );
  }
  const at = position.at;
  const from = Math.max(1, at - WINDOW);
  const to = Math.min(system.version, at + WINDOW);
  // The state at the position only: the step before, for the highlights, follows from the browser.
  const [[state], hazards, freed, events] = await Promise.all([
    getStates(name, [at], undefined, { hazards: false }),
    getHazards(name),
    getFreed(name),
    system.version > 0 ? getStream(name, from, to) : Promise.resolve([]),
  ]);
  if (system.version === 0) {
    return (
      <div className="panel empty" data-testid="replay-empty">
        Nothing recorded in this system yet. Record events through the API, or follow it live.
      </div>
    );
  }
  return (
    <ReplayView
      key={`${name}@${at}`}
      system={name}
      version={system.version}
      initial={{ at, state: state!, previous: null }}
      hazards={packHazards(hazards)}
      freed={freed}
      maxPasid={system.maxPasid}
      initialEvents={events}
    />
  );
}
