import type { HistoryHeader, StateDocument } from '@pasid/domain';
import Table from 'cli-table3';
import pc from 'picocolors';

/** Long lists (freed values, hazards) show this many entries; --json has them all. */
const SHOWN = 20;
const clip = <T>(items: readonly T[], n: number): readonly T[] => items.slice(0, n);
const more = (length: number) => (length > SHOWN ? `, ... (${length - SHOWN} more)` : '');

/** The final state of a replay as a person reads it: a header line, then one table per concern. */
export function formatSummary(header: HistoryHeader, doc: StateDocument, color: boolean): string {
  const c = pc.createColors(color);
  const style = { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] };
  const none = c.dim('-');
  const out: string[] = [];
  const hazardNote =
    doc.hazards.length === 0 ? c.green('no hazards') : c.red(`${doc.hazards.length} hazard(s)`);
  out.push(
    `${c.bold(header.system ?? '(unnamed system)')}  policy ${c.bold(doc.policy)}  events ${doc.events}  ${hazardNote}`,
  );

  const section = (title: string, count: number) => `\n${c.bold(title)} ${c.dim(`(${count})`)}`;

  out.push(section('PASIDs', doc.pasids.length));
  if (doc.pasids.length > 0) {
    const table = new Table({ head: ['pasid', 'holder pid', 'refcount', 'devices', 'mm'], style });
    for (const p of doc.pasids) {
      // A released mm lives on while open files hold its bonds.
      const mm = p.released ? c.yellow('released') : 'live';
      table.push([p.pasid, p.pid, p.refcount ?? none, p.devices.join(', ') || none, mm]);
    }
    out.push(table.toString());
  }

  out.push(section('Live tasks', doc.tasks.length));
  if (doc.tasks.length > 0) {
    const table = new Table({ head: ['tid', 'pid', 'MSR', 'activated'], style });
    for (const t of doc.tasks)
      table.push([t.tid, t.pid, t.msr ?? c.dim('invalid'), t.activated ? 'yes' : 'no']);
    out.push(table.toString());
  }

  out.push(section('Open files', doc.files.length));
  if (doc.files.length > 0) {
    const table = new Table({ head: ['pid', 'fd', 'device', 'pasid', 'holder pid', 'cloexec'], style });
    for (const f of clip(doc.files, SHOWN)) {
      // The holder differs from the pid for an inherited file.
      const holder = f.holder === f.pid ? String(f.holder) : c.yellow(`${f.holder} (inherited)`);
      table.push([f.pid, f.fd, f.device, f.pasid, holder, f.cloexec ? 'yes' : 'no']);
    }
    out.push(table.toString());
    if (doc.files.length > SHOWN)
      out.push(c.dim(`only the first ${SHOWN} are shown; --json prints them all`));
  }

  out.push(section('Freed', doc.freed.length));
  if (doc.freed.length > 0) out.push(clip(doc.freed, SHOWN).join(', ') + more(doc.freed.length));

  out.push(section('Hazards', doc.hazards.length));
  if (doc.hazards.length > 0) {
    const table = new Table({ head: ['code', 'event #', 'tid', 'pid', 'device', 'pasid', 'note'], style });
    const byCode = new Map<string, number>();
    for (const h of doc.hazards) byCode.set(h.code, (byCode.get(h.code) ?? 0) + 1);
    out.push([...byCode].map(([code, n]) => `${c.red(code)} ${n}`).join('  '));
    for (const h of doc.hazards.slice(-SHOWN)) {
      const note =
        h.reason ??
        (h.observed ? (h.explained ? 'logged, explained' : 'logged, not explained by the model') : none);
      table.push([
        c.red(h.code),
        h.event,
        h.tid ?? none,
        h.pid ?? none,
        h.device ?? none,
        h.pasid ?? none,
        note,
      ]);
    }
    out.push(table.toString());
    if (doc.hazards.length > SHOWN)
      out.push(c.dim(`only the last ${SHOWN} are shown; --json prints them all`));
  }
  return `${out.join('\n')}\n`;
}
