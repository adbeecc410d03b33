/**
 * The lanes of the lifetimes view, from the domain's `lifetimes` (no rule here): one lane per
 * PASID value (its generations), per process and per task (alive, and its MSR while valid), per
 * open file (and under it each fd slot that referred to it), per PASID table entry (device,
 * value), and per hazard code; filtered by pid, tid, PASID, device, fd and hazard code, all of
 * which must match. The whole history's lanes: `lane-window.ts` cuts them to what a zoom shows.
 */
import type { FileLifetime, HazardCode, HazardMark, Lifetimes, TaskLifetime } from '@pasid/domain';

export interface LaneFilter {
  pid?: number;
  tid?: number;
  pasid?: number;
  device?: string;
  fd?: number;
  code?: HazardCode;
}

export type BarTone = 'pasid' | 'pasid-alt' | 'process' | 'task' | 'msr' | 'entry' | 'file' | 'fd';

export interface LaneBar {
  key: string;
  from: number;
  /** The step that ended it; null while open at the end of the history. */
  to: number | null;
  tone: BarTone;
  label: string;
  /** Made when a window shows the bar: a long history has hundreds of thousands. */
  title: () => string;
}

export type LaneGroup = 'pasids' | 'processes' | 'files' | 'entries' | 'hazards';

export type LaneRow =
  | { kind: 'group'; key: string; group: LaneGroup; label: string; count: number }
  | {
      kind: 'lane';
      key: string;
      group: LaneGroup;
      label: string;
      /** Indented under the lane before it (a task under its process). */
      nested: boolean;
      bars: LaneBar[];
      marks: HazardMark[];
    };

const span = (from: number, to: number | null) =>
  to === null ? `from step ${from}, still open` : `steps ${from} to ${to}`;

/** The fd slots of `file` an fd filter (and a pid filter with it) keeps; every slot without one. */
function fdSlots(file: FileLifetime, f: LaneFilter) {
  if (f.fd === undefined) return file.fds;
  return file.fds.filter((s) => s.fd === f.fd && (f.pid === undefined || s.pid === f.pid));
}

export function laneRows(l: Lifetimes, f: LaneFilter): LaneRow[] {
  const tasks = new Map<number, TaskLifetime[]>();
  for (const p of l.processes)
    for (const t of p.tasks) {
      const same = tasks.get(t.tid);
      if (same) same.push(t);
      else tasks.set(t.tid, [t]);
    }
  /** PASID values the filtered task carried in its MSR. */
  const tidPasids =
    f.tid === undefined ? null : new Set((tasks.get(f.tid) ?? []).flatMap((t) => t.msr.map((m) => m.pasid)));
  const devicePasids =
    f.device === undefined
      ? null
      : new Set(l.entries.filter((e) => e.device === f.device).map((e) => e.pasid));
  const devicePids =
    f.device === undefined ? null : new Set(l.entries.filter((e) => e.device === f.device).map((e) => e.pid));
  /** With an fd filter: the files one of whose slots had that fd, their PASIDs and the processes that held them. */
  const fdFiles = f.fd === undefined ? null : l.files.filter((file) => fdSlots(file, f).length > 0);
  const fdPasids = fdFiles === null ? null : new Set(fdFiles.map((file) => file.pasid));
  const fdPids =
    fdFiles === null ? null : new Set(fdFiles.flatMap((file) => fdSlots(file, f).map((s) => s.pid)));
  const pasidOk = (pasid: number) =>
    (f.pasid === undefined || pasid === f.pasid) &&
    (tidPasids === null || tidPasids.has(pasid)) &&
    (devicePasids === null || devicePasids.has(pasid)) &&
    (fdPasids === null || fdPasids.has(pasid));

  const rows: LaneRow[] = [];
  const group = (g: LaneGroup, label: string, lanes: LaneRow[]) => {
    rows.push({ kind: 'group', key: `group:${g}`, group: g, label, count: lanes.length });
    for (const lane of lanes) rows.push(lane);
  };

  // Hazards first: one lane per code, what went wrong at a glance.
  const taskPid = (tid: number | undefined) => (tid === undefined ? undefined : tasks.get(tid)?.[0]?.pid);
  const byCode = new Map<HazardCode, HazardMark[]>();
  for (const h of l.hazards) {
    if (f.code !== undefined && h.code !== f.code) continue;
    if (f.pid !== undefined && h.pid !== f.pid && taskPid(h.tid) !== f.pid) continue;
    if (f.tid !== undefined && h.tid !== f.tid) continue;
    if (f.pasid !== undefined && h.pasid !== f.pasid) continue;
    if (f.device !== undefined && h.device !== f.device) continue;
    if (fdPasids !== null && (h.pasid === undefined || !fdPasids.has(h.pasid))) continue;
    const marks = byCode.get(h.code);
    if (marks) marks.push(h);
    else byCode.set(h.code, [h]);
  }
  group(
    'hazards',
    'Hazards',
    [...byCode].map(([code, marks]) => ({
      kind: 'lane',
      key: `hazard:${code}`,
      group: 'hazards',
      label: `${code} (${marks.length.toLocaleString('en')})`,
      nested: false,
      bars: [],
      marks,
    })),
  );

  // PASID values: one lane per value, a bar per generation.
  const byValue = new Map<number, LaneBar[]>();
  for (const g of l.pasids) {
    if ((f.pid !== undefined && g.pid !== f.pid) || !pasidOk(g.pasid)) continue;
    const bars = byValue.get(g.pasid) ?? [];
    bars.push({
      key: `pasid:${g.pasid}:${g.generation}`,
      from: g.from,
      to: g.to,
      tone: g.generation % 2 === 1 ? 'pasid' : 'pasid-alt',
      label: `pid ${g.pid}`,
      title: () =>
        `PASID ${g.pasid}, generation ${g.generation}: held by pid ${g.pid}, ${span(g.from, g.to)}${g.to === null ? '' : ' (freed)'}`,
    });
    byValue.set(g.pasid, bars);
  }
  group(
    'pasids',
    'PASID values',
    [...byValue].map(([value, bars]) => ({
      kind: 'lane',
      key: `pasid:${value}`,
      group: 'pasids',
      label: `PASID ${value}`,
      nested: false,
      bars,
      marks: [],
    })),
  );

  // Processes, each followed by its tasks.
  const processLanes: LaneRow[] = [];
  for (const p of l.processes) {
    if (f.pid !== undefined && p.pid !== f.pid) continue;
    if (devicePids !== null && !devicePids.has(p.pid)) continue;
    if (fdPids !== null && !fdPids.has(p.pid)) continue;
    const taskLanes: LaneRow[] = [];
    for (const t of p.tasks) {
      if (f.tid !== undefined && t.tid !== f.tid) continue;
      if (f.pasid !== undefined && !t.msr.some((m) => m.pasid === f.pasid)) continue;
      taskLanes.push({
        kind: 'lane',
        key: `task:${t.tid}:${t.from}`,
        group: 'processes',
        label: `tid ${t.tid}`,
        nested: true,
        bars: [
          {
            key: `task:${t.tid}:${t.from}`,
            from: t.from,
            to: t.to,
            tone: 'task',
            label: '',
            title: () => `task ${t.tid} of pid ${t.pid}: alive ${span(t.from, t.to)}`,
          },
          ...t.msr.map<LaneBar>((m) => ({
            key: `msr:${t.tid}:${m.from}`,
            from: m.from,
            to: m.to,
            tone: 'msr',
            label: `MSR ${m.pasid}`,
            title: () => `task ${t.tid}: IA32_PASID MSR = ${m.pasid}, ${span(m.from, m.to)}`,
          })),
        ],
        marks: [],
      });
    }
    if (taskLanes.length === 0 && (f.tid !== undefined || f.pasid !== undefined)) continue;
    processLanes.push(
      {
        kind: 'lane',
        key: `process:${p.pid}:${p.from}`,
        group: 'processes',
        label: `pid ${p.pid}`,
        nested: false,
        bars: [
          {
            key: `process:${p.pid}:${p.from}`,
            from: p.from,
            to: p.to,
            tone: 'process',
            label: p.parent === null ? '' : `child of ${p.parent}`,
            title: () =>
              `process ${p.pid}${p.parent === null ? '' : ` (child of ${p.parent})`}: ${span(p.from, p.to)}`,
          },
        ],
        marks: [],
      },
      ...taskLanes,
    );
  }
  group('processes', 'Processes and tasks (MSR while valid)', processLanes);

  // Open files, each followed by the fd slots that referred to it (fork copies them; the bond
  // belongs to the file, so it outlives its opener while a copy is open).
  if (l.files.length > 0) {
    const fileLanes: LaneRow[] = [];
    for (const file of l.files) {
      if (f.device !== undefined && file.device !== f.device) continue;
      if (f.pid !== undefined && file.holder !== f.pid && !file.fds.some((s) => s.pid === f.pid)) continue;
      if (!pasidOk(file.pasid)) continue;
      const slots = fdSlots(file, f);
      if (slots.length === 0) continue;
      fileLanes.push(
        {
          kind: 'lane',
          key: `file:${file.file}`,
          group: 'files',
          label: `file of pid ${file.holder}`,
          nested: false,
          bars: [
            {
              key: `file:${file.file}`,
              from: file.from,
              to: file.to,
              tone: 'file',
              label: `${file.device} · PASID ${file.pasid}`,
              title: () =>
                `open file of ${file.device} opened by pid ${file.holder} at step ${file.from}: bond to pid ${file.holder}'s mm with PASID ${file.pasid}, ${span(file.from, file.to)}${file.to === null ? '' : ' (last reference closed)'}`,
            },
          ],
          marks: [],
        },
        ...slots.map<LaneRow>((s) => ({
          kind: 'lane',
          key: `fd:${file.file}:${s.pid}:${s.fd}:${s.from}`,
          group: 'files',
          label: `pid ${s.pid} fd ${s.fd}`,
          nested: true,
          bars: [
            {
              key: `fd:${file.file}:${s.pid}:${s.fd}:${s.from}`,
              from: s.from,
              to: s.to,
              tone: 'fd',
              label: `${s.inheritedFrom === null ? 'opened' : `inherited from ${s.inheritedFrom}`}${s.cloexec ? ' · cloexec' : ''}`,
              title: () =>
                `fd ${s.fd} of pid ${s.pid}${s.inheritedFrom === null ? '' : `, copied from pid ${s.inheritedFrom} at fork`}${s.cloexec ? ', close-on-exec' : ''}: ${span(s.from, s.to)}`,
            },
          ],
          marks: [],
        })),
      );
    }
    group('files', 'Open files (fd slots)', fileLanes);
  }

  // PASID table entries: one lane per (device, value).
  const byEntry = new Map<string, LaneBar[]>();
  for (const e of l.entries) {
    if (f.pid !== undefined && e.pid !== f.pid) continue;
    if (f.device !== undefined && e.device !== f.device) continue;
    if (!pasidOk(e.pasid)) continue;
    const key = `${e.device} · PASID ${e.pasid}`;
    const bars = byEntry.get(key) ?? [];
    bars.push({
      key: `entry:${e.device}:${e.pasid}:${e.from}`,
      from: e.from,
      to: e.to,
      tone: 'entry',
      label: `→ pid ${e.pid}`,
      title: () => `entry (${e.device}, ${e.pasid}) for pid ${e.pid}: ${span(e.from, e.to)}`,
    });
    byEntry.set(key, bars);
  }
  group(
    'entries',
    'PASID table entries (device · value)',
    [...byEntry].map(([label, bars]) => ({
      kind: 'lane',
      key: `entry:${label}`,
      group: 'entries',
      label,
      nested: false,
      bars,
      marks: [],
    })),
  );

  return rows;
}
