/**
 * Comparing one history under two policies: where do the states first differ? Reference counts
 * are left out (only LAZY_REFCOUNT has them), so a divergence is a difference in who holds which
 * PASID, which PASID table entries exist, what MSRs hold, what was freed, or which hazards occurred.
 */
import type { HazardEntry, LedgerState } from '../ledger/types';

const hazardText = (h: HazardEntry) =>
  [
    h.code,
    `event ${h.event}`,
    h.tid !== null ? `tid ${h.tid}` : '',
    h.pasid !== null ? `PASID ${h.pasid}` : '',
  ]
    .filter(Boolean)
    .join(' ');

/** What differs between two states of the same step, in words; empty when they agree. */
export function stateDifferences(left: LedgerState, right: LedgerState): string[] {
  const out: string[] = [];
  const lp = new Map(left.pasids.map((r) => [r.pasid, r]));
  const rp = new Map(right.pasids.map((r) => [r.pasid, r]));
  const values = [...new Set([...lp.keys(), ...rp.keys()])].sort((a, b) => a - b);
  for (const v of values) {
    const l = lp.get(v);
    const r = rp.get(v);
    if (!l || !r) {
      const holder = (l ?? r)!.pid;
      out.push(`PASID ${v} (process ${holder}) is allocated only under ${l ? left.policy : right.policy}`);
    } else if (l.pid !== r.pid) {
      out.push(
        `PASID ${v} is held by process ${l.pid} under ${left.policy}, by ${r.pid} under ${right.policy}`,
      );
    } else if (l.devices.join() !== r.devices.join()) {
      out.push(
        `PASID ${v} has entries [${l.devices.join(', ')}] under ${left.policy}, [${r.devices.join(', ')}] under ${right.policy}`,
      );
    }
  }
  const lt = new Map(left.tasks.map((t) => [t.tid, t]));
  const rt = new Map(right.tasks.map((t) => [t.tid, t]));
  const tids = [...new Set([...lt.keys(), ...rt.keys()])].sort((a, b) => a - b);
  for (const tid of tids) {
    const l = lt.get(tid);
    const r = rt.get(tid);
    if (!l || !r) out.push(`task ${tid} is alive only under ${l ? left.policy : right.policy}`);
    else if (l.msr !== r.msr) {
      out.push(
        `task ${tid}'s MSR is ${l.msr ?? 'invalid'} under ${left.policy}, ${r.msr ?? 'invalid'} under ${right.policy}`,
      );
    }
  }
  if (left.freed.join() !== right.freed.join()) {
    out.push(
      `freed PASIDs: [${left.freed.join(', ')}] under ${left.policy}, [${right.freed.join(', ')}] under ${right.policy}`,
    );
  }
  const lh = left.hazards.map(hazardText);
  const rh = right.hazards.map(hazardText);
  for (const h of lh) if (!rh.includes(h)) out.push(`hazard ${h} only under ${left.policy}`);
  for (const h of rh) if (!lh.includes(h)) out.push(`hazard ${h} only under ${right.policy}`);
  return out;
}

export interface Divergence {
  /** The first version at which the two states differ. */
  version: number;
  differences: string[];
}

/**
 * The first divergence among pairs of states of the same versions, in increasing version order;
 * null when every pair agrees.
 */
export function firstDivergence(
  pairs: Iterable<{ left: LedgerState; right: LedgerState }>,
): Divergence | null {
  for (const { left, right } of pairs) {
    const differences = stateDifferences(left, right);
    if (differences.length > 0) return { version: left.version, differences };
  }
  return null;
}
