/**
 * A compact form of a long hazard list for the page payload: a 100,000-event history has
 * thousands of hazards, sent with the replay page once. Nine numbers a hazard instead of an
 * object; codes, devices, SIGSEGV reasons and the domain's sentences each sent once.
 */
import type { HazardCode, HazardEntry, SigsegvReason } from '../ledger/types';

export interface PackedHazards {
  codes: HazardCode[];
  devices: string[];
  reasons: SigsegvReason[];
  descriptions: string[];
  /**
   * Per hazard: event, code index, tid, pid, device index + 1, pasid (0 where absent: ids are
   * positive), reason index + 1, logged-fault flags (1 observed, 2 explained, 4 explained known, 8 observed known),
   * description index.
   */
  rows: number[];
}

const WIDTH = 9;

export function packHazards(hazards: readonly HazardEntry[]): PackedHazards {
  const codes: HazardCode[] = [];
  const devices: string[] = [];
  const reasons: SigsegvReason[] = [];
  const descriptions: string[] = [];
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
      h.reason === null ? 0 : indexOf(reasons, h.reason) + 1,
      (h.observed ? 1 : 0) |
        (h.explained ? 2 : 0) |
        (h.explained !== null ? 4 : 0) |
        (h.observed !== null ? 8 : 0),
      indexOf(descriptions, h.description),
    );
  }
  return { codes, devices, reasons, descriptions, rows };
}

export function unpackHazards(packed: PackedHazards): HazardEntry[] {
  const out: HazardEntry[] = [];
  const { rows } = packed;
  for (let i = 0; i + WIDTH <= rows.length; i += WIDTH) {
    const device = rows[i + 4]!;
    const reason = rows[i + 6]!;
    const flags = rows[i + 7]!;
    out.push({
      code: packed.codes[rows[i + 1]!]!,
      reason: reason === 0 ? null : packed.reasons[reason - 1]!,
      event: rows[i]!,
      tid: rows[i + 2] || null,
      pid: rows[i + 3] || null,
      device: device === 0 ? null : packed.devices[device - 1]!,
      pasid: rows[i + 5] || null,
      observed: flags & 8 ? (flags & 1) !== 0 : null,
      explained: flags & 4 ? (flags & 2) !== 0 : null,
      description: packed.descriptions[rows[i + 8]!]!,
    });
  }
  return out;
}
