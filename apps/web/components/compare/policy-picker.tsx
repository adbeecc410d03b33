'use client';

import { useRouter } from 'next/navigation';
import type { Policy } from '@/lib/ledger/types';

export function PolicyPicker({
  base,
  left,
  right,
  policies,
}: {
  base: string;
  left: Policy;
  right: Policy;
  policies: readonly Policy[];
}) {
  const router = useRouter();
  // A new pair of policies: drop the step so the page opens at their first divergence.
  const go = (l: Policy, r: Policy) => router.push(`${base}?left=${l}&right=${r}`);
  return (
    <div className="row">
      <label>
        Left policy
        <select
          value={left}
          onChange={(e) => go(e.currentTarget.value as Policy, right)}
          data-testid="left-policy"
        >
          {policies.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </label>
      <label>
        Right policy
        <select
          value={right}
          onChange={(e) => go(left, e.currentTarget.value as Policy)}
          data-testid="right-policy"
        >
          {policies.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </label>
    </div>
  );
}
