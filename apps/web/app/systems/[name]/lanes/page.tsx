import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { LanesView } from '@/components/lanes/lanes-view';
import { getSystem, POLICY_NAMES } from '@/lib/ledger';
import { getLifetimes } from '@/lib/ledger/lifetimes';
import { parseLaneFilter } from '@/lib/replay/lanes';

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
  const lifetimes = await getLifetimes(name, system.version, system.maxPasid, policy);
  const from = Number(query.from);
  const to = Number(query.to);
  return (
    <LanesView
      system={name}
      lifetimes={lifetimes}
      policy={policy}
      initialFilter={parseLaneFilter(query)}
      initialRange={Number.isInteger(from) && Number.isInteger(to) && to > from ? [from, to] : null}
    />
  );
}
