import { expect } from 'vitest';
import {
  DEFAULT_MAX_PASID,
  type DerivedEvent,
  decide,
  type InputEvent,
  type Policy,
  type RejectionCode,
  Replayer,
  type State,
} from '../../src/index.js';

/**
 * Given / when / then for the decider, after Emmett's DeciderSpecification:
 * `spec('LAZY_REFCOUNT').given(inputs).when(input).then(derived)` or `.thenRejects(code, field)`.
 * `given` inputs must all be accepted; the state they build is what `when` is decided against.
 */
export function spec(policy: Policy, maxPasid: number = DEFAULT_MAX_PASID) {
  return {
    given(inputs: readonly InputEvent[]) {
      const replayer = new Replayer({ policy, maxPasid });
      inputs.forEach((input, i) => {
        const decision = replayer.apply(input);
        if (!decision.ok) {
          throw new Error(`given #${i + 1} (${input.type}) was rejected: ${decision.rejection.message}`);
        }
      });
      const state: State = replayer.state;
      return {
        when(input: InputEvent) {
          const decision = decide(state, input);
          return {
            // biome-ignore lint/suspicious/noThenProperty: Emmett's given/when/then naming; never awaited.
            then(expected: readonly DerivedEvent[]): State {
              if (!decision.ok) throw new Error(`rejected: ${decision.rejection.message}`);
              expect(decision.events).toEqual(expected);
              replayer.apply(input);
              return replayer.state;
            },
            thenRejects(code: RejectionCode, field: string): void {
              expect(decision.ok, 'the input should be rejected').toBe(false);
              if (!decision.ok) {
                expect(decision.rejection.code).toBe(code);
                expect(decision.rejection.field).toBe(field);
                expect(decision.rejection.message.length).toBeGreaterThan(0);
              }
            },
          };
        },
      };
    },
  };
}

export const dsa0 = '0000:6a:01.0';
export const iax0 = '0000:6a:02.0';

/** The spec's worked example, steps 1-14. */
export const workedExample: readonly InputEvent[] = [
  { type: 'ProcessCreated', pid: 100 },
  { type: 'DeviceBound', pid: 100, device: dsa0 },
  { type: 'ThreadCreated', tid: 101, pid: 100 },
  { type: 'Enqcmd', tid: 100, device: dsa0 },
  { type: 'Enqcmd', tid: 101, device: dsa0 },
  { type: 'DeviceBound', pid: 100, device: iax0 },
  { type: 'ProcessCreated', pid: 200, parent: 100 },
  { type: 'Enqcmd', tid: 200, device: dsa0 },
  { type: 'DeviceUnbound', pid: 100, device: dsa0 },
  { type: 'TaskExited', tid: 101 },
  { type: 'DeviceUnbound', pid: 100, device: iax0 },
  { type: 'Enqcmd', tid: 100, device: dsa0 },
  { type: 'DeviceBound', pid: 200, device: dsa0 },
  { type: 'TaskExited', tid: 100 },
];

/** The spec's second example (an inherited file; MM_EXIT in the spec), steps 1-7. */
export const inheritedFile: readonly InputEvent[] = [
  { type: 'ProcessCreated', pid: 300 },
  { type: 'DeviceBound', pid: 300, device: dsa0, fd: 3 },
  { type: 'Enqcmd', tid: 300, device: dsa0 },
  { type: 'ProcessCreated', pid: 301, parent: 300 },
  { type: 'TaskExited', tid: 300 },
  { type: 'DeviceBound', pid: 301, device: dsa0 },
  { type: 'FileClosed', pid: 301, fd: 3 },
];

/** The spec's third example (exec after ENQCMD; LAZY_REFCOUNT, the seed's code), steps 1-10. */
export const execAfterEnqcmd: readonly InputEvent[] = [
  { type: 'ProcessCreated', pid: 400 },
  { type: 'DeviceBound', pid: 400, device: dsa0 },
  { type: 'Enqcmd', tid: 400, device: dsa0 },
  { type: 'ProcessExec', pid: 400 },
  { type: 'DeviceBound', pid: 400, device: iax0 },
  { type: 'Enqcmd', tid: 400, device: iax0 },
  { type: 'ThreadCreated', tid: 401, pid: 400 },
  { type: 'Enqcmd', tid: 401, device: iax0 },
  { type: 'TaskExited', tid: 400 },
  { type: 'TaskExited', tid: 401 },
];
