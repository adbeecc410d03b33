export function HazardBadge({ count }: { count: number }) {
  if (count === 0) return <span className="badge ok">no hazard</span>;
  return (
    <span className="badge hazard" title={`${count} hazard${count === 1 ? '' : 's'} detected`}>
      {count} hazard{count === 1 ? '' : 's'}
    </span>
  );
}
