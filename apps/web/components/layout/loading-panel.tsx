export function LoadingPanel({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="panel" aria-busy="true">
      <div className="loading-line" />
      <p className="muted">{label}</p>
    </div>
  );
}
