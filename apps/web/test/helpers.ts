import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkInputEvent,
  deviceBondCount,
  type InputEvent,
  isMsrStale,
  type Policy,
  Replayer,
  type State,
  toStateDocument,
} from '@pasid/domain';
import type { StateFieldsFragment } from '@/lib/ledger/generated/graphql';
import { toLedgerState } from '@/lib/ledger/mappers';
import type { LedgerState } from '@/lib/ledger/types';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WORKED_EXAMPLE_PATH = path.join(here, 'fixtures', 'worked-example.jsonl');

/** The repository's sample histories (the spec's second and third examples among them). */
export const SAMPLES_DIR = path.resolve(here, '../../../samples');

export function workedExampleInputs(): InputEvent[] {
  return historyInputs(WORKED_EXAMPLE_PATH);
}

/** The input events of a history file. */
export function historyInputs(file: string): InputEvent[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((v) => 'type' in v)
    .map((v) => {
      const check = checkInputEvent(v);
      if (!check.ok) throw new Error(check.reason);
      return check.event;
    });
}

/** What the API serves for a state: the replay document plus processes (as the domain has them). */
export function apiStateOf(state: State): StateFieldsFragment {
  const doc = toStateDocument(state);
  return {
    ...doc,
    tasks: doc.tasks.map((t) => ({ ...t, msrStale: isMsrStale(state, t) })),
    hazards: doc.hazards.map((h) => ({
      code: h.code,
      reason: h.reason ?? null,
      event: h.event,
      tid: h.tid ?? null,
      pid: h.pid ?? null,
      device: h.device ?? null,
      pasid: h.pasid ?? null,
      observed: h.observed ?? null,
      explained: h.explained ?? null,
    })),
    processes: [...state.processes.values()]
      .sort((a, b) => a.pid - b.pid)
      .map((p) => {
        const mm = state.mms.get(p.mm);
        return {
          pid: p.pid,
          parent: p.parent,
          tasks: [...p.tasks],
          pasid: mm?.pasid ?? null,
          bonds: [...(mm?.bonds.keys() ?? [])].map((device) => ({
            device,
            count: mm ? deviceBondCount(mm, device) : 0,
          })),
        };
      }),
  };
}

/** The state after each version 0..n of the worked example under `policy`, as the UI gets it. */
export function workedExampleStates(policy: Policy): LedgerState[] {
  return historyStates(workedExampleInputs(), policy);
}

/** The state after each version 0..n of `inputs` under `policy`, as the UI gets it. */
export function historyStates(inputs: readonly InputEvent[], policy: Policy): LedgerState[] {
  const replayer = new Replayer({ policy, maxPasid: 1 << 20 });
  const states = [toLedgerState(apiStateOf(replayer.fork()))];
  for (const input of inputs) {
    const decision = replayer.apply(input);
    if (!decision.ok) throw new Error(`rejected: ${JSON.stringify(decision)}`);
    states.push(toLedgerState(apiStateOf(replayer.fork())));
  }
  return states;
}
