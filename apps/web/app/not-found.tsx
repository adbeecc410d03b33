import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="panel empty">
      <h1>Not found</h1>
      <p>There is no such system or page.</p>
      <Link href="/">Back to the systems</Link>
    </div>
  );
}
