import Link from 'next/link';

/** A `?at=` that is not a step of the history: said plainly, with links to steps that exist. */
export function PositionError({
  href,
  message,
  version,
}: {
  href: string;
  message: string;
  version: number;
}) {
  const join = href.includes('?') ? '&' : '?';
  return (
    <div className="panel" role="alert" data-testid="position-error">
      <h2>No such step</h2>
      <p>{message}</p>
      <p className="row">
        <Link href={`${href}${join}at=0`}>Open step 0</Link>
        <Link href={`${href}${join}at=${version}`}>Open the last step ({version.toLocaleString('en')})</Link>
      </p>
    </div>
  );
}
