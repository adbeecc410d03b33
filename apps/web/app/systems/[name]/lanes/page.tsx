import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { LanesView } from '@/components/lanes/lanes-view';
import { getLaneWindow, getSystem, POLICY_NAMES } from '@/lib/ledger';
import { clampRange, LANE_RESOLUTION, LANES_PAGE, parseLaneFilter } from '@/lib/replay/lanes';

export const dynamic = 'force-dynamic';

type Props = {
  params: Promise<{ name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Lifetimes ${decodeURIComponent((await params).name)}` };
}

export default async function LanesPage({ params, searchParams }: Props) {
  const name = decodeURIComponent((await params).name);
  const system = await getSystem(name);
  if (!system) notFound();
  const query = await searchParams;
  const policy = POLICY_NAMES.find((p) => p === query.policy) ?? system.policy;
  if (system.version === 0) {
    return <div className="panel empty">Nothing recorded in this system yet: no lifetime to draw.</div>;
  }
  const from = Number(query.from);
  const to = Number(query.to);
  const range =
    Number.isInteger(from) && Number.isInteger(to) && to > from
      ? clampRange(from, to, system.version)
      : ([0, system.version + 1] as [number, number]);
  const filter = parseLaneFilter(query);
  // The first screen only: the lanes of this window, the first page of them (the rest as it scrolls).
  const window = await getLaneWindow(name, {
    policy,
    from: range[0],
    to: range[1],
    resolution: LANE_RESOLUTION,
    filter,
    offset: 0,
    first: LANES_PAGE,
  });
  return <LanesView system={name} initial={{ window, filter, range }} policy={policy} />;
}
