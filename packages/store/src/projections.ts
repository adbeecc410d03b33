import type { State } from '@pasid/domain';

/**
 * The format of the projection rows (and snapshots) this code writes: 2 for model version 2. A
 * system whose `projection_format` is lower is rebuilt from its log after migrating (see
 * `upgradeProjections`).
 */
export const PROJECTION_FORMAT = 2;

/**
 * One row of `hazards`, the one projection table (migration 0006 dropped those no query read):
 * hazards by code and by system, paged, are what a state document does not answer.
 */
export interface HazardRow {
  /** Its place among the system's hazards, from 1 (the state's `hazards[seq - 1]`). */
  seq: number;
  /** The version of the input that raised it. */
  event: number;
  code: string;
  tid: number | null;
  pid: number | null;
  device: string | null;
  pasid: number | null;
  reason: string | null;
  observed: boolean | null;
  explained: boolean | null;
}

/** The hazard rows of `state` from its `from`-th hazard on (seq counts from 1). */
export function hazardRows(state: State, from = 0): HazardRow[] {
  return state.hazards.slice(from).map((h, i) => ({
    seq: from + i + 1,
    event: h.event,
    code: h.code,
    tid: h.tid ?? null,
    pid: h.pid ?? null,
    device: h.device ?? null,
    pasid: h.pasid ?? null,
    reason: h.reason ?? null,
    observed: h.observed ?? null,
    explained: h.explained ?? null,
  }));
}

/** The counts `systems` keeps for a stream in `state`. */
export function systemCounts(state: State) {
  return {
    version: state.version,
    livePasids: state.pasids.size,
    hazardCount: state.hazards.length,
    freedCount: state.freed.length,
  };
}
