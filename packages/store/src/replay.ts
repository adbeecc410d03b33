import type { DerivedEvent, InputEvent, Replayer } from '@pasid/domain';

/** A stored row as replay needs it: its place in the stream and the event. */
export interface StepRow {
  version: number;
  index: number;
  data: InputEvent | DerivedEvent;
}

/** Applies stored rows (ordered by version, index) as recorded steps: no deciding again. */
export function applyRows(replayer: Replayer, rows: readonly StepRow[]): void {
  let input: InputEvent | undefined;
  let derived: DerivedEvent[] = [];
  for (const r of rows) {
    if (r.index === 0) {
      if (input) replayer.applyRecorded(input, derived);
      input = r.data as InputEvent;
      derived = [];
    } else derived.push(r.data as DerivedEvent);
  }
  if (input) replayer.applyRecorded(input, derived);
}
