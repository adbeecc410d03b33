import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { CompareView } from '@/components/compare/compare-view';
import { PositionError } from '@/components/replay/position-error';
import {
  getDivergence,
  getFreed,
  getHazards,
  getStates,
  getStream,
  getSystem,
  POLICY_NAMES,
  type Policy,
} from '@/lib/ledger';
import { packHazards } from '@/lib/replay/hazard-codec';
import { parsePosition } from '@/lib/replay/position';

export const dynamic = 'force-dynamic';

type Props = {
  params: Promise<{ name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Compare ${decodeURIComponent((await params).name)}` };
}

/** Timeline rows read with the page around the position (the step's input is named from them). */
const WINDOW = 25;

const policyParam = (raw: string | string[] | undefined, fallback: Policy): Policy => {
  const value = Array.isArray(raw) ? raw[0] : raw;
  return POLICY_NAMES.find((p) => p === value) ?? fallback;
};

export default async function ComparePage({ params, searchParams }: Props) {
  const name = decodeURIComponent((await params).name);
  const system = await getSystem(name);
  if (!system) notFound();
  const query = await searchParams;
  const left = policyParam(query.left, system.policy);
  const right = policyParam(query.right, left === 'EAGER_UNBIND' ? 'MM_EXIT' : 'EAGER_UNBIND');
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
  // The API follows the whole history under both policies (no step limit on this side).
  const divergence = left === right ? null : await getDivergence(name, left, right);
  // Without ?at= the page opens where the policies part.
  const at = query.at === undefined ? (divergence?.version ?? system.version) : position.at;
  const from = Math.max(1, at - WINDOW);
  const to = Math.min(system.version, at + WINDOW);
  const [[leftState], [rightState], leftHazards, rightHazards, freed, events] = await Promise.all([
    getStates(name, [at], left, { hazards: false }),
    getStates(name, [at], right, { hazards: false }),
    getHazards(name, left),
    getHazards(name, right),
    left === system.policy || right === system.policy ? getFreed(name) : Promise.resolve(undefined),
    system.version > 0 ? getStream(name, from, to) : Promise.resolve([]),
  ]);
  return (
    <CompareView
      key={`${name}@${left}/${right}@${at}`}
      system={name}
      version={system.version}
      maxPasid={system.maxPasid}
      initialAt={at}
      left={{
        policy: left,
        state: leftState!,
        hazards: packHazards(leftHazards),
        ...(left === system.policy && freed ? { freed } : {}),
      }}
      right={{
        policy: right,
        state: rightState!,
        hazards: packHazards(rightHazards),
        ...(right === system.policy && freed ? { freed } : {}),
      }}
      divergence={divergence}
      initialEvents={events}
    />
  );
}
