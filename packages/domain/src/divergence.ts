import { explainDivergence } from './descriptions.js';
import { type StateDocument, toStateDocument } from './document.js';
import type { DerivedEvent, InputEvent, Policy } from './events.js';
import { Replayer } from './replayer.js';
import { forWhatIf } from './what-if.js';

/**
 * Where one history's states first differ under two policies, and what differs. The comparison
 * works on state documents (`toStateDocument`), field by field, without knowing their fields, so
 * it holds whatever the document contains; only the fields that name or exist for one policy alone
 * are left out.
 */

/** Document fields that differ by policy by construction (not a divergence of what happened). */
export const POLICY_SPECIFIC_FIELDS: readonly string[] = ['policy', 'refcount'];

/** One thing that differs: a top-level field, the item of a list it concerns (by its first field), both sides. */
export interface DocumentDifference {
  /** The document field, e.g. `pasids`, `tasks`, `hazards`. */
  field: string;
  /** For a list of records: the item's identity, e.g. `pasid=1`; null for a plain value or list. */
  key: string | null;
  /** The left policy's value or item (null when it has none). */
  left: unknown;
  /** The right policy's value or item (null when it has none). */
  right: unknown;
}

export interface Divergence {
  /** The first version (input number, from 1) after which the two states differ. */
  version: number;
  /** The input recorded at that version. */
  input: InputEvent;
  policies: readonly [Policy, Policy];
  differences: DocumentDifference[];
  /** Why it matters, in one sentence (`explainDivergence`). */
  explanation: string;
}

/** What differs between two state documents (policy-specific fields left out); empty when they agree. */
export function documentDifferences(left: StateDocument, right: StateDocument): DocumentDifference[] {
  const l = comparable(left) as Record<string, unknown>;
  const r = comparable(right) as Record<string, unknown>;
  const out: DocumentDifference[] = [];
  for (const field of [...new Set([...Object.keys(l), ...Object.keys(r)])]) {
    const a = l[field];
    const b = r[field];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    if (Array.isArray(a) && Array.isArray(b)) out.push(...listDifferences(field, a, b));
    else out.push({ field, key: null, left: a ?? null, right: b ?? null });
  }
  return out;
}

/** One sentence per difference, naming the policies. */
export function describeDifference(d: DocumentDifference, policies: readonly [Policy, Policy]): string {
  const show = (v: unknown) => (v === null || v === undefined ? 'nothing' : JSON.stringify(v));
  const what = d.key === null ? d.field : `${d.field} ${d.key}`;
  return `${what}: ${show(d.left)} under ${policies[0]}, ${show(d.right)} under ${policies[1]}`;
}

/**
 * Follows a history under two policies, one input at a time, and stops at the first version whose
 * states differ. Inputs are replayed as recorded under `recordedPolicy` and as a what-if
 * (`forWhatIf`) under any other, as the store's what-if does.
 */
export class DivergenceFinder {
  private readonly replayers: [Replayer, Replayer];
  private found: Divergence | null = null;

  constructor(
    readonly policies: readonly [Policy, Policy],
    private readonly options: { maxPasid: number; recordedPolicy?: Policy },
  ) {
    this.replayers = [
      new Replayer({ policy: policies[0], maxPasid: options.maxPasid }),
      new Replayer({ policy: policies[1], maxPasid: options.maxPasid }),
    ];
  }

  /** The divergence once found (then further inputs are ignored). */
  get divergence(): Divergence | null {
    return this.found;
  }

  /** Applies one input under both policies; returns the divergence when this input makes it. */
  push(input: InputEvent): Divergence | null {
    if (this.found) return this.found;
    const apply = (side: 0 | 1): readonly DerivedEvent[] => {
      const replayer = this.replayers[side];
      const policy = this.policies[side];
      const decision = replayer.apply(policy === this.options.recordedPolicy ? input : forWhatIf(input));
      if (!decision.ok) {
        throw new Error(
          `input ${replayer.version + 1} (${input.type}) cannot be replayed under ${policy}: ${decision.rejection.message}`,
        );
      }
      return decision.events;
    };
    const derived = [apply(0), apply(1)] as const;
    // Until now the two states agree (but for policy-specific fields), and an input's effects on
    // the state are its unconditional ones plus its derived events (evolve decides nothing). So
    // the same consequences keep them in agreement: the usual step costs its own events, not two
    // whole states (which made a long history's search quadratic). Only a step whose consequences
    // differ is compared state against state, and it may still agree (the same effects in
    // another order).
    if (sameConsequences(derived[0], derived[1])) return null;
    const docs = this.replayers.map((replayer) => toStateDocument(replayer.state)) as [
      StateDocument,
      StateDocument,
    ];
    if (JSON.stringify(comparable(docs[0])) === JSON.stringify(comparable(docs[1]))) return null;
    this.found = {
      version: docs[0].events,
      input,
      policies: this.policies,
      differences: documentDifferences(docs[0], docs[1]),
      explanation: explainDivergence(docs[0], docs[1], input),
    };
    return this.found;
  }
}

/** The first divergence of `inputs` under two policies, in one pass; null when they never differ. */
export function firstDivergence(
  inputs: Iterable<InputEvent>,
  policies: readonly [Policy, Policy],
  options: { maxPasid: number; recordedPolicy?: Policy },
): Divergence | null {
  const finder = new DivergenceFinder(policies, options);
  for (const input of inputs) if (finder.push(input)) break;
  return finder.divergence;
}

/**
 * Whether two policies derived the same consequences from one input, policy-specific fields and
 * events left out (`RefcountChanged` is a count change and nothing else).
 */
function sameConsequences(left: readonly DerivedEvent[], right: readonly DerivedEvent[]): boolean {
  const a = left.filter((e) => e.type !== 'RefcountChanged');
  const b = right.filter((e) => e.type !== 'RefcountChanged');
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) {
    if (JSON.stringify(comparable(a[i])) !== JSON.stringify(comparable(b[i]))) return false;
  }
  return true;
}

/** The value without policy-specific fields, at any depth. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!POLICY_SPECIFIC_FIELDS.includes(k)) out[k] = comparable(v);
  return out;
}

/**
 * The items of two lists that differ. Records are paired by their first field (`pasid`, `tid`)
 * when that identifies one item on each side; other items are compared whole.
 */
function listDifferences(field: string, left: unknown[], right: unknown[]): DocumentDifference[] {
  const text = (v: unknown) => JSON.stringify(v);
  const rightTexts = new Map<string, number>();
  for (const v of right) rightTexts.set(text(v), (rightTexts.get(text(v)) ?? 0) + 1);
  const onlyLeft: unknown[] = [];
  for (const v of left) {
    const n = rightTexts.get(text(v)) ?? 0;
    if (n > 0) rightTexts.set(text(v), n - 1);
    else onlyLeft.push(v);
  }
  const leftTexts = new Map<string, number>();
  for (const v of left) leftTexts.set(text(v), (leftTexts.get(text(v)) ?? 0) + 1);
  const onlyRight: unknown[] = [];
  for (const v of right) {
    const n = leftTexts.get(text(v)) ?? 0;
    if (n > 0) leftTexts.set(text(v), n - 1);
    else onlyRight.push(v);
  }
  const identity = (v: unknown): string | null => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
    const first = Object.entries(v)[0];
    return first ? `${first[0]}=${text(first[1])}` : null;
  };
  const unique = (items: unknown[]) => {
    const byKey = new Map<string, unknown>();
    const seen = new Set<string>();
    for (const v of items) {
      const key = identity(v);
      if (key === null) continue;
      if (seen.has(key)) byKey.delete(key);
      else byKey.set(key, v);
      seen.add(key);
    }
    return byKey;
  };
  const leftByKey = unique(onlyLeft);
  const rightByKey = unique(onlyRight);
  const out: DocumentDifference[] = [];
  for (const v of onlyLeft) {
    const key = identity(v);
    const paired = key !== null && leftByKey.get(key) === v ? rightByKey.get(key) : undefined;
    out.push({ field, key, left: v, right: paired ?? null });
  }
  for (const v of onlyRight) {
    const key = identity(v);
    const paired = key !== null && rightByKey.get(key) === v && leftByKey.has(key);
    if (!paired) out.push({ field, key, left: null, right: v });
  }
  return out;
}
