import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { HistoryCharts } from '@/components/charts/history-charts';
import { getPasidSeries, getSystem } from '@/lib/ledger';
import { sampleVersions } from '@/lib/replay/position';
import { toPasidSeries } from '@/lib/replay/series';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Charts ${decodeURIComponent((await params).name)}` };
}

/**
 * Points per chart: every step of a small history, an even sample of a big one. Each point is a
 * time-travel replay on the API (up to a snapshot interval of steps), so a long history gets fewer.
 */
const POINTS_SMALL = 400;
const POINTS_LARGE = 150;
/** States per API request (each is one alias of one query). */
const BATCH = 50;

export default async function ChartsPage({ params }: Props) {
  const name = decodeURIComponent((await params).name);
  const system = await getSystem(name);
  if (!system) notFound();
  const versions = sampleVersions(system.version, system.version < 5000 ? POINTS_SMALL : POINTS_LARGE);
  const batches: number[][] = [];
  for (let i = 0; i < versions.length; i += BATCH) batches.push(versions.slice(i, i + BATCH));
  const samples = (await Promise.all(batches.map((b) => getPasidSeries(name, b)))).flat();
  const series = toPasidSeries(samples);
  const sampled = versions.length < system.version + 1;
  return (
    <HistoryCharts
      system={name}
      series={series}
      policy={system.policy}
      maxPasid={system.maxPasid}
      note={
        sampled
          ? `${versions.length} states sampled evenly over ${system.version.toLocaleString('en')} events`
          : null
      }
    />
  );
}
