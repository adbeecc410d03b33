import type { InputEvent } from './events.js';

/**
 * An input as a what-if replay under another policy sees it. The only inputs whose acceptance
 * depends on the policy are binds that name the PASID the traced kernel handed out: another policy
 * may have freed or allocated differently by then (EAGER_UNBIND reuses values early). That value is
 * an observation of the recorded kernel, not a fact of the process, so the what-if lets the other
 * policy's allocator choose. Every other rule is policy-blind, so a history accepted under one
 * policy is accepted under all three this way.
 */
export function forWhatIf(input: InputEvent): InputEvent {
  if (input.type !== 'DeviceBound' || input.pasid === undefined) return input;
  const { pasid: _observed, ...rest } = input;
  return rest;
}
