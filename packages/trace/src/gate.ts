import { DEFAULT_MAX_PASID, DEFAULT_POLICY, type InputEvent, type Policy, Replayer } from '@pasid/domain';
import type { TraceInput } from './inputs.js';

/** Whether the model takes an input, in the domain's words (its code and message). */
export type GateDecision = { ok: true } | { ok: false; code: string; field?: string; message: string };

export interface ModelGate {
  /** Decides and, when taken, applies the input (the next decision sees it). */
  apply(input: TraceInput): GateDecision;
}

/**
 * The domain itself decides: a Replayer folds every input the trace gives, so "the model cannot
 * take this fact" is exactly the domain's rejection, never a rule restated here.
 */
export class DomainGate implements ModelGate {
  private readonly replayer: Replayer;

  constructor(config: { policy?: Policy; maxPasid?: number } = {}) {
    this.replayer = new Replayer({
      policy: config.policy ?? DEFAULT_POLICY,
      maxPasid: config.maxPasid ?? DEFAULT_MAX_PASID,
    });
  }

  apply(input: TraceInput): GateDecision {
    let decision: ReturnType<Replayer['apply']>;
    try {
      decision = this.replayer.apply(input as unknown as InputEvent);
    } catch (error) {
      // A domain that does not know this input's type yet (model version 1) throws.
      return { ok: false, code: 'UNKNOWN_INPUT', message: (error as Error).message };
    }
    if (decision.ok) return { ok: true };
    const { code, field, message } = decision.rejection;
    return { ok: false, code, field, message };
  }
}
