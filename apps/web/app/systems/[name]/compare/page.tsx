import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { CompareView } from '@/components/compare/compare-view';
import { PositionError } from '@/components/replay/position-error';
import { getStates, getSystem, POLICY_NAMES, type Policy } from '@/lib/ledger';
import { type Divergence, firstDivergence } from '@/lib/replay/compare';
import { parsePosition } from '@/lib/replay/position';

export const dynamic = 'force-dynamic';

type Props = {
  params: Promise<{ name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Compare ${decodeURIComponent((await params).name)}` };
}

/** Steps compared per pair of requests, and how far the search for a divergence goes. */
const BATCH = 50;
const SEARCH_LIMIT = 2000;

const policyParam = (raw: string | string[] | undefined, fallback: Policy): Policy => {
  const value = Array.isArray(raw) ? raw[0] : raw;
  return POLICY_NAMES.find((p) => p === value) ?? fallback;
};

async function findDivergence(name: string, version: number, left: Policy, right: Policy) {
  const last = Math.min(version, SEARCH_LIMIT);
  for (let from = 0; from <= last; from += BATCH) {
    const versions = Array.from({ length: Math.min(BATCH, last - from + 1) }, (_, i) => from + i);
    const [l, r] = await Promise.all([getStates(name, versions, left), getStates(name, versions, right)]);
    const found = firstDivergence(l.map((state, i) => ({ left: state, right: r[i]! })));
    if (found) return { divergence: found, searched: last };
  }
  return { divergence: null as Divergence | null, searched: last };
}

export default async function ComparePage({ params, searchParams }: Props) {
  const name = decodeURIComponent((await params).name);
  const system = await getSystem(name);
  if (!system) notFound();
  const query = await searchParams;
  const left = policyParam(query.left, system.policy);
  const right = policyParam(query.right, left === 'EAGER_UNBIND' ? 'MM_EXIT' : 'EAGER_UNBIND');
  const { divergence, searched } =
    left === right
      ? { divergence: null, searched: system.version }
      : await findDivergence(name, system.version, left, right);
  const position = parsePosition(query.at, system.version);
  if (!position.ok) {
    return (
      <PositionError
        href={`/systems/${encodeURIComponent(name)}/compare?left=${left}&right=${right}`}
        message={position.message}
        version={system.version}
      />
    );
  }
  const at = query.at === undefined ? (divergence?.version ?? system.version) : position.at;
  const versions = at > 0 ? [at - 1, at] : [0];
  const [l, r] = await Promise.all([getStates(name, versions, left), getStates(name, versions, right)]);
  return (
    <CompareView
      system={name}
      version={system.version}
      at={at}
      left={{ policy: left, state: l[l.length - 1]!, previous: l.length > 1 ? l[0]! : null }}
      right={{ policy: right, state: r[r.length - 1]!, previous: r.length > 1 ? r[0]! : null }}
      divergence={divergence}
      searched={searched}
    />
  );
}
