import {
  checkInputEvent,
  DEFAULT_MAX_PASID,
  DEFAULT_POLICY,
  type InputEvent,
  type Policy,
  Replayer,
} from '@pasid/domain';

/** Whether the model takes an input, in the domain's words (its code and message). */
export type GateDecision =
  /** `derived`: what the model made of it, when the gate says (the domain's derived events' types). */
  { ok: true; derived?: readonly string[] } | { ok: false; code: string; field?: string; message: string };

export interface ModelGate {
  /** Decides and, when taken, applies the input (the next decision sees it). */
  apply(input: InputEvent): GateDecision;
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

  apply(input: InputEvent): GateDecision {
    // The domain's schema first: a field out of its range (a pid above MAX_ID, a long reason)
    // is refused here as an import would refuse it, never written into a history.
    const check = checkInputEvent(input);
    if (!check.ok) return { ok: false, code: 'INVALID_INPUT', field: check.field, message: check.reason };
    const decision = this.replayer.apply(input);
    if (decision.ok) return { ok: true, derived: decision.events.map((e) => e.type) };
    const { code, field, message } = decision.rejection;
    return { ok: false, code, field, message };
  }
}
