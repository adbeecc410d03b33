import type { RejectionCode } from './decide.js';
import {
  assertNever,
  type HazardCode,
  type HazardFields,
  type InputEvent,
  type Policy,
  type SigsegvReason,
} from './events.js';

/**
 * What the kernel did, one sentence per hazard code: the web app and the API show these and never
 * restate them.
 */
export const HAZARD_DESCRIPTIONS: Readonly<Record<HazardCode, string>> = {
  SIGSEGV:
    'The task executed ENQCMD with an invalid IA32_PASID MSR and the #GP fix-up did not run, so the kernel sent it SIGSEGV.',
  DMAR_FAULT:
    'The IOMMU found no PASID table entry for the device and PASID the DMA carried, and the kernel logged a DMAR fault.',
  WRONG_ADDRESS_SPACE:
    "The task submitted work with a stale PASID that now belongs to another process, so the device's DMA ran in that process's memory.",
  PASID_EXHAUSTED:
    'iommu_sva_bind_device() found no free PASID (ida_alloc_range failed), so the open() of the device failed.',
  UNBALANCED_PUT:
    "The seed's pasid_put() at exit or exec dropped a reference on the new mm's PASID that the task, activated before an exec, never took.",
  PASID_FREED_WHILE_BOUND:
    'The reference count reached zero and the kernel freed the PASID while bonds still used it: a use-after-free.',
  PASID_ENTRY_BUSY:
    'The bind found the PASID table slot for this device and PASID still used by another mm, so the kernel refused it with -EBUSY.',
  REFCOUNT_UNDERFLOW:
    'The kernel dropped a reference on a PASID that was no longer allocated: the count went below zero.',
};

/** Why the #GP fix-up refused, one sentence per `SIGSEGV` reason. */
export const SIGSEGV_REASON_DESCRIPTIONS: Readonly<Record<SigsegvReason, string>> = {
  NO_PASID: "try_fixup_enqcmd_gp() found no PASID in the task's mm (no device bound since fork or exec).",
  ALREADY_ACTIVATED:
    'try_fixup_enqcmd_gp() refused because the task was already activated: the flag survives exec, so the fix-up runs once per task.',
};

/** A DMAR fault the kernel logged (`DmarFaultLogged`): whether the model's lifecycle explains it. */
export const LOGGED_DMAR_FAULT_DESCRIPTIONS: Readonly<Record<'explained' | 'unexplained', string>> = {
  explained:
    'The kernel logged a DMAR fault for this device and PASID, and the model has no PASID table entry for them: the lifecycle explains the fault.',
  unexplained:
    'The kernel logged a DMAR fault for this device and PASID although the model holds their PASID table entry: the fault has another cause (a bad descriptor, an unmapped page) that the lifecycle does not see.',
};

/**
 * What the kernel did for one hazard, in one sentence (two for a `SIGSEGV`: what happened, then
 * why the fix-up refused): the code's sentence, the `SIGSEGV` reason's, and a logged DMAR fault's
 * own (explained or not). The API serves it as a hazard's `description`; the web app shows it.
 */
export function describeHazard(
  hazard: Pick<HazardFields, 'code' | 'reason' | 'observed' | 'explained'>,
): string {
  if (hazard.code === 'DMAR_FAULT' && hazard.observed)
    return LOGGED_DMAR_FAULT_DESCRIPTIONS[hazard.explained ? 'explained' : 'unexplained'];
  const sentence = HAZARD_DESCRIPTIONS[hazard.code];
  return hazard.code === 'SIGSEGV' && hazard.reason
    ? `${sentence} ${SIGSEGV_REASON_DESCRIPTIONS[hazard.reason]}`
    : sentence;
}

/** What each rejection means, one sentence per code (the rejection's message adds the ids). */
export const REJECTION_DESCRIPTIONS: Readonly<Record<RejectionCode, string>> = {
  PROCESS_EXISTS: 'The pid is already a live process.',
  TASK_EXISTS: 'The id is already a live task, or the pid of a live process.',
  PROCESS_NOT_FOUND: 'The pid is not a live process.',
  PARENT_NOT_FOUND: 'The parent is not a live process.',
  TASK_NOT_FOUND: 'The tid is not a live task.',
  NOT_BOUND: 'The process has no process bond of that device left to unbind.',
  FD_IN_USE: 'The fd is already open in that process.',
  FD_NOT_OPEN: 'The fd is not open in that process.',
  CLOEXEC_WITHOUT_FD: 'cloexec is a flag of an fd: a bind without fd cannot have it.',
  PASID_TAKEN: 'The PASID the bind names is held by another mm.',
  PASID_MISMATCH: 'The process already holds a different PASID from the one the bind names.',
  PASID_OUT_OF_RANGE: 'The PASID the bind names is not in 1..maxPasid-1.',
  EXEC_MULTITHREADED:
    'exec needs the process to have exactly one live task (de_thread ends the others first).',
};

/**
 * What the sentence on two policies' states reads from each side: a state document
 * (`toStateDocument`) fits, and so does any view of one with the same fields.
 */
export interface ComparedState {
  policy: Policy;
  pasids: readonly { pasid: number; pid: number; devices: readonly string[]; released: boolean }[];
  tasks: readonly { tid: number; pid: number; msr: number | null; activated: boolean }[];
  files: readonly { pid: number; fd: number; device: string; pasid: number; holder: number }[];
  /** Freed values in the order they were freed (a value freed twice appears twice). */
  freed: readonly number[];
  hazards: readonly {
    code: HazardCode;
    reason?: SigsegvReason | null;
    event: number;
    observed?: boolean | null;
    explained?: boolean | null;
    tid?: number | null;
    pid?: number | null;
    device?: string | null;
    pasid?: number | null;
  }[];
}

/** Clauses in one sentence before the rest are only counted. */
const MAX_CLAUSES = 3;

/**
 * Why two policies' states of one step differ, in one sentence: first what makes a divergence
 * dangerous (a task whose IA32_PASID MSR holds a value its mm no longer has: freed, or another
 * process's, where its next ENQCMD goes), then who holds which PASID, hazards one side has, and
 * the rest. Reference counts are left out (only LAZY_REFCOUNT has them). Null when the states
 * agree on all of that.
 */
export function explainDifference(left: ComparedState, right: ComparedState): string | null {
  const clauses: string[] = [];
  const explained = new Set<number>();
  for (const [side, other] of [
    [left, right],
    [right, left],
  ] as const) {
    for (const [pasid, tids] of divergentStaleMsrs(side, other)) {
      const clause = staleMsrClause(side, other, pasid, tids);
      clauses.push(clause.text);
      for (const value of clause.values) explained.add(value);
    }
  }
  clauses.push(...pasidClauses(left, right, explained));
  clauses.push(...hazardClauses(left, right));
  clauses.push(...taskClauses(left, right));
  clauses.push(...fileClauses(left, right));
  if (clauses.length === 0) return null;
  const shown = clauses.slice(0, MAX_CLAUSES);
  const more = clauses.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? `; and ${more} more difference${more === 1 ? '' : 's'}` : ''}.`;
}

/**
 * Why two policies part at the first input where their states differ: what that input did, then
 * `explainDifference` (the states agreed before it, so every difference is this input's doing).
 */
export function explainDivergence(left: ComparedState, right: ComparedState, input: InputEvent): string {
  const why = explainDifference(left, right) ?? 'the two states differ only in their reference counts.';
  return `After ${describeInput(input)}, ${why}`;
}

/** An input as a clause: "pid 100 unbinds 0000:6a:02.0". */
function describeInput(input: InputEvent): string {
  switch (input.type) {
    case 'ProcessCreated':
      return input.parent === undefined
        ? `pid ${input.pid} is created`
        : `pid ${input.parent} forks pid ${input.pid}`;
    case 'ThreadCreated':
      return `pid ${input.pid} creates thread ${input.tid}`;
    case 'DeviceBound':
      return `pid ${input.pid} binds ${input.device}${input.fd === undefined ? '' : ` as fd ${input.fd}`}`;
    case 'DeviceUnbound':
      return `pid ${input.pid} unbinds ${input.device}`;
    case 'FileClosed':
      return `pid ${input.pid} closes fd ${input.fd}`;
    case 'Enqcmd':
      return `tid ${input.tid} executes ENQCMD${input.device === undefined ? '' : ` on ${input.device}`}`;
    case 'TaskExited':
      return `tid ${input.tid} exits`;
    case 'ProcessExec':
      return `pid ${input.pid} execs`;
    case 'DmarFaultLogged':
      return `the kernel logs a DMAR fault for ${input.device} and PASID ${input.pasid}`;
    default:
      return assertNever(input);
  }
}

type Task = ComparedState['tasks'][number];
type PasidHeld = ComparedState['pasids'][number];

const pasidOf = (state: ComparedState, value: number): PasidHeld | undefined =>
  state.pasids.find((r) => r.pasid === value);

/** The MSR holds a value that is not its process's current mm's (a live task's mm is never released). */
const isStale = (state: ComparedState, task: Task): boolean =>
  task.msr !== null && !state.pasids.some((r) => r.pasid === task.msr && r.pid === task.pid && !r.released);

/**
 * Stale MSRs of `side` that `other` does not share (the same task stale with the same value held
 * by the same process there is no divergence), grouped by the value they hold.
 */
function divergentStaleMsrs(side: ComparedState, other: ComparedState): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const task of side.tasks) {
    if (task.msr === null || !isStale(side, task)) continue;
    const there = other.tasks.find((t) => t.tid === task.tid);
    const shared =
      there !== undefined &&
      there.msr === task.msr &&
      isStale(other, there) &&
      pasidOf(other, task.msr)?.pid === pasidOf(side, task.msr)?.pid;
    if (!shared) out.set(task.msr, [...(out.get(task.msr) ?? []), task.tid]);
  }
  return out;
}

/** The lowest free value, the one `ida_alloc_range` hands out next, when a value was ever freed. */
function nextFreed(state: ComparedState): number | null {
  let lowest: number | null = null;
  for (const value of state.freed) {
    if (pasidOf(state, value)) continue;
    if (lowest === null || value < lowest) lowest = value;
  }
  return lowest;
}

const list = (values: readonly (string | number)[]) =>
  values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(', ')} and ${values[values.length - 1]}`;

/**
 * A stale MSR on `side`: where the tasks' next ENQCMD goes there, and what `other` did instead;
 * `values` are the PASIDs the clause accounts for.
 */
function staleMsrClause(
  side: ComparedState,
  other: ComparedState,
  pasid: number,
  tids: number[],
): { text: string; values: number[] } {
  const who = tids.length === 1 ? `tid ${tids[0]}` : `tids ${list(tids)}`;
  const has = tids.length === 1 ? 'has' : 'have';
  const whose = tids.length === 1 ? `tid ${tids[0]}'s next ENQCMD` : 'their next ENQCMDs';
  const runs = tids.length === 1 ? 'runs' : 'run';
  const holder = pasidOf(side, pasid);
  const { text: instead, gave } = otherSideOfStale(other, pasid, tids, holder?.pid ?? null);
  const values = gave === null ? [pasid] : [pasid, gave];
  if (!holder) {
    const next =
      nextFreed(side) === pasid
        ? `the next bind gets PASID ${pasid}: if it is another process's, ${whose} ${runs} in that process's memory`
        : `once PASID ${pasid} is handed to another process, ${whose} ${runs} in that process's memory`;
    return {
      text: `${side.policy} has freed PASID ${pasid} while ${who} still ${has} MSR ${pasid} (${instead}); ${next}`,
      values,
    };
  }
  const owner = tids.every((tid) => side.tasks.find((t) => t.tid === tid)?.pid === holder.pid);
  if (owner) {
    // Its own process's earlier mm, released at exec, still holds the value.
    return {
      text: `${who} still ${has} MSR ${pasid}, the PASID of pid ${holder.pid}'s released mm under ${side.policy} (${instead})`,
      values,
    };
  }
  const where =
    holder.devices.length > 0
      ? `${whose} on ${list(holder.devices)} ${runs} in pid ${holder.pid}'s memory`
      : `once pid ${holder.pid} has a PASID table entry for it, ${whose} there ${runs} in pid ${holder.pid}'s memory`;
  return {
    text: `${who} still ${has} MSR ${pasid}; PASID ${pasid} now belongs to pid ${holder.pid} under ${side.policy} (${instead}); ${where}`,
    values,
  };
}

/**
 * What `other` did with the value a stale MSR holds on the side being explained, and which PASID
 * it gave the process that holds the value there instead (`gave`).
 */
function otherSideOfStale(
  other: ComparedState,
  pasid: number,
  tids: number[],
  newHolder: number | null,
): { text: string; gave: number | null } {
  const there = pasidOf(other, pasid);
  let text: string;
  if (!there) text = `${other.policy} has freed it too`;
  else if (tids.every((tid) => other.tasks.find((t) => t.tid === tid)?.pid === there.pid) && !there.released)
    text = `${other.policy} keeps it for pid ${there.pid}`;
  else text = `under ${other.policy} it belongs to pid ${there.pid}`;
  if (newHolder === null || newHolder === there?.pid) return { text, gave: null };
  const own = other.pasids.find((r) => r.pid === newHolder && !r.released);
  return own
    ? { text: `${text} and gives pid ${newHolder} PASID ${own.pasid}`, gave: own.pasid }
    : { text, gave: null };
}

/** Who holds each PASID value, and its PASID table entries, where the sides disagree. */
function pasidClauses(left: ComparedState, right: ComparedState, explained: ReadonlySet<number>): string[] {
  const values = [...new Set([...left.pasids, ...right.pasids].map((r) => r.pasid))]
    .filter((v) => !explained.has(v))
    .sort((a, b) => a - b);
  const out: string[] = [];
  const holds = (s: ComparedState, r: PasidHeld) => {
    const carriers = s.tasks.filter((t) => t.msr === r.pasid).map((t) => t.tid);
    return `pid ${r.pid}${carriers.length > 0 ? ` (in the MSR of tid ${list(carriers)})` : ''}`;
  };
  const gone = (s: ComparedState, value: number) =>
    s.freed.includes(value) ? `is freed under ${s.policy}` : `is not allocated under ${s.policy}`;
  for (const value of values) {
    const l = pasidOf(left, value);
    const r = pasidOf(right, value);
    if (l && !r)
      out.push(`PASID ${value} belongs to ${holds(left, l)} under ${left.policy} and ${gone(right, value)}`);
    else if (!l && r)
      out.push(`PASID ${value} ${gone(left, value)} and belongs to ${holds(right, r)} under ${right.policy}`);
    else if (l && r && l.pid !== r.pid)
      out.push(
        `PASID ${value} belongs to pid ${l.pid} under ${left.policy}, to pid ${r.pid} under ${right.policy}`,
      );
    else if (l && r && l.devices.join() !== r.devices.join()) {
      const on = (d: readonly string[]) => (d.length === 0 ? 'none' : list(d));
      out.push(
        `PASID ${value} has PASID table entries on ${on(l.devices)} under ${left.policy}, on ${on(r.devices)} under ${right.policy}`,
      );
    } else if (l && r && l.released !== r.released)
      out.push(
        `pid ${l.pid}'s mm holding PASID ${value} is ${l.released ? 'released' : 'live'} under ${left.policy}, ${r.released ? 'released' : 'live'} under ${right.policy}`,
      );
  }
  return out;
}

/** Hazards one side has and the other not (compared whole, as a multiset). */
function hazardClauses(left: ComparedState, right: ComparedState): string[] {
  const text = (h: ComparedState['hazards'][number]) => {
    const fields = [
      h.tid != null ? `tid ${h.tid}` : '',
      h.pasid != null ? `PASID ${h.pasid}` : '',
      h.pid != null ? `pid ${h.pid}` : '',
      h.device ?? '',
    ].filter(Boolean);
    return `${h.code} at input ${h.event}${fields.length > 0 ? ` (${fields.join(', ')})` : ''}`;
  };
  const only = (side: ComparedState, other: ComparedState) => {
    const counts = new Map<string, number>();
    for (const h of other.hazards) counts.set(text(h), (counts.get(text(h)) ?? 0) + 1);
    const out: ComparedState['hazards'][number][] = [];
    for (const h of side.hazards) {
      const n = counts.get(text(h)) ?? 0;
      if (n > 0) counts.set(text(h), n - 1);
      else out.push(h);
    }
    return out;
  };
  const out: string[] = [];
  for (const [side, other] of [
    [left, right],
    [right, left],
  ] as const) {
    const hazards = only(side, other);
    if (hazards.length === 0) continue;
    const [one] = hazards;
    if (hazards.length === 1 && one) {
      // One hazard: what the kernel did, in its own sentence's words.
      const said = describeHazard({
        code: one.code,
        ...(one.reason ? { reason: one.reason } : {}),
        ...(one.observed ? { observed: true } : {}),
        ...(one.explained ? { explained: true } : {}),
      });
      out.push(`only ${side.policy} has ${text(one)}: ${said.charAt(0).toLowerCase()}${said.slice(1, -1)}`);
      continue;
    }
    const shown = hazards.slice(-2).map(text);
    const earlier = hazards.length - shown.length;
    out.push(`only ${side.policy} has ${earlier > 0 ? `${earlier} earlier hazards and ` : ''}${list(shown)}`);
  }
  return out;
}

/** Tasks alive on one side only, or whose MSR or activation differ (stale MSRs are said above). */
function taskClauses(left: ComparedState, right: ComparedState): string[] {
  const out: string[] = [];
  const tids = [...new Set([...left.tasks, ...right.tasks].map((t) => t.tid))].sort((a, b) => a - b);
  const msr = (v: number | null) => (v === null ? 'invalid' : String(v));
  for (const tid of tids) {
    const l = left.tasks.find((t) => t.tid === tid);
    const r = right.tasks.find((t) => t.tid === tid);
    if (!l || !r) out.push(`tid ${tid} is alive only under ${(l ? left : right).policy}`);
    else if (l.msr !== r.msr && !isStale(left, l) && !isStale(right, r))
      out.push(`tid ${tid} has MSR ${msr(l.msr)} under ${left.policy}, ${msr(r.msr)} under ${right.policy}`);
    else if (l.activated !== r.activated)
      out.push(`tid ${tid} is activated only under ${(l.activated ? left : right).policy}`);
  }
  return out;
}

/** Open fds one side has and the other not. */
function fileClauses(left: ComparedState, right: ComparedState): string[] {
  const key = (f: ComparedState['files'][number]) => `${f.pid}:${f.fd}:${f.device}:${f.pasid}:${f.holder}`;
  const out: string[] = [];
  for (const [side, other] of [
    [left, right],
    [right, left],
  ] as const) {
    const there = new Set(other.files.map(key));
    for (const f of side.files)
      if (!there.has(key(f)))
        out.push(`pid ${f.pid}'s fd ${f.fd} (${f.device}) is open only under ${side.policy}`);
  }
  return out;
}
