import { type Decision, decide, decideInto, type Rejection } from './decide.js';
import type { DerivedEvent, InputEvent } from './events.js';
import { applyDerived, applyInput } from './evolve.js';
import { draftOf, initialState, type State, type StateDraft, type SystemConfig } from './state.js';

/** One input event with the events the domain derived from it: the unit the log appends. */
export interface RecordedStep {
  input: InputEvent;
  derived: DerivedEvent[];
}

/** decide + evolve for one input: the new state and the derived events, or the rejection. */
export function record(
  state: State,
  input: InputEvent,
): { ok: true; state: State; derived: DerivedEvent[] } | Extract<Decision, { ok: false }> {
  const decision = decide(state, input);
  if (!decision.ok) return decision;
  const draft = draftOf(state);
  applyStep(draft, input, decision.events);
  return { ok: true, state: draft, derived: decision.events };
}

export function applyStep(draft: StateDraft, input: InputEvent, derived: readonly DerivedEvent[]): void {
  applyInput(draft, input);
  for (const event of derived) applyDerived(draft, event);
}

/**
 * Folds many inputs without copying the state at each step: it owns a draft that nobody else sees
 * until `state` hands it out (a transient, as in Clojure). Same rules, same results as `record`.
 */
export class Replayer {
  private draft: StateDraft;

  constructor(from: SystemConfig | State) {
    this.draft = 'version' in from ? draftOf(from) : (initialState(from) as StateDraft);
  }

  /** The state so far. Call `fork()` instead if the replayer goes on after you keep it. */
  get state(): State {
    return this.draft;
  }

  get version(): number {
    return this.draft.version;
  }

  /** A copy of the state so far, safe to keep while this replayer goes on. */
  fork(): State {
    return draftOf(this.draft);
  }

  /** Decides and applies one input; on rejection nothing changes. */
  apply(input: InputEvent): Decision {
    const decision = decide(this.draft, input);
    if (decision.ok) applyStep(this.draft, input, decision.events);
    return decision;
  }

  /**
   * `apply` for a fold that keeps no derived events (a replay): the rejection, or undefined once
   * the input is applied. It makes no Decision per input.
   */
  replay(input: InputEvent): Rejection | undefined {
    const derived: DerivedEvent[] = [];
    const rejection = decideInto(this.draft, input, derived);
    if (rejection === undefined) applyStep(this.draft, input, derived);
    return rejection;
  }

  /** Applies a step decided before (read back from a log), without deciding again. */
  applyRecorded(input: InputEvent, derived: readonly DerivedEvent[]): void {
    applyStep(this.draft, input, derived);
  }
}
