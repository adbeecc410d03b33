/**
 * A compact form of a long hazard list for the page payload: a 100,000-event history has
 * thousands of hazards, sent with the replay page once. Six numbers a hazard instead of an object.
 */
import type { HazardCode, HazardEntry } from '../ledger/types';

export interface PackedHazards {
  codes: HazardCode[];
  devices: string[];
  /** Per hazard: event, code index, tid, pid, device index + 1, pasid (0 where absent: ids are positive). */
  rows: number[];
}

const WIDTH = 6;

export function packHazards(hazards: readonly HazardEntry[]): PackedHazards {
  const codes: HazardCode[] = [];
  const devices: string[] = [];
  const indexOf = <T>(list: T[], value: T) => {
    let i = list.indexOf(value);
    if (i < 0) i = list.push(value) - 1;
    return i;
  };
  const rows: number[] = [];
  for (const h of hazards) {
    rows.push(
      h.event,
      indexOf(codes, h.code),
      h.tid ?? 0,
      h.pid ?? 0,
      h.device === null ? 0 : indexOf(devices, h.device) + 1,
      h.pasid ?? 0,
    );
  }
  return { codes, devices, rows };
}

export function unpackHazards(packed: PackedHazards): HazardEntry[] {
  const out: HazardEntry[] = [];
  const { rows } = packed;
  for (let i = 0; i + WIDTH <= rows.length; i += WIDTH) {
    const device = rows[i + 4]!;
    out.push({
      event: rows[i]!,
      code: packed.codes[rows[i + 1]!]!,
      tid: rows[i + 2] || null,
      pid: rows[i + 3] || null,
      device: device === 0 ? null : packed.devices[device - 1]!,
      pasid: rows[i + 5] || null,
    });
  }
  return out;
}
