import { WriteGate } from '@/components/session/write-gate';
import { ImportForm } from '@/components/systems/import-form';
import { SystemList } from '@/components/systems/system-list';
import { env } from '@/lib/env';
import { getSystems, getViewer } from '@/lib/ledger';

export const dynamic = 'force-dynamic';

export default async function SystemsPage() {
  const [systems, viewer] = await Promise.all([getSystems(), getViewer()]);
  return (
    <div className="two-columns systems-layout">
      <section className="panel">
        <div className="panel-title">
          <h1>Systems</h1>
          <span className="count">{systems.length} traced</span>
        </div>
        <SystemList systems={systems} />
        <p className="muted small">
          To record events as they happen (from a tracer or a script), open a system's <strong>live</strong>{' '}
          page: it shows the request to send and follows what arrives.
        </p>
      </section>
      <section className="panel">
        <h2>Import a history or a trace</h2>
        <p className="muted small">
          A history: a JSON Lines file, an optional header <code>{'{"system", "policy", "maxPasid"}'}</code>,
          then one input event a line. Or a kernel trace (<code>perf script</code>,{' '}
          <code>trace-cmd report</code>, tracefs, <code>pasid.bt</code>, <code>dmesg</code> /{' '}
          <code>journalctl -k</code>): it is converted as <code>pasid trace</code> does and its report shown.
          Nothing is stored if any line is rejected.
        </p>
        <WriteGate viewer={viewer} next="/">
          <ImportForm historyLimit={env().historyLimit} />
        </WriteGate>
      </section>
    </div>
  );
}
