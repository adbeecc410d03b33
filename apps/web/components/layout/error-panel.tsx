'use client';

/** What a page shows when loading its data failed (the API down, a bad argument...). */
export function ErrorPanel({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="panel" role="alert">
      <h1>Something went wrong</h1>
      <div className="error-box">{error.message || 'The page could not be loaded.'}</div>
      <p className="muted small">
        Check that the PASID Ledger API is running and reachable from the web server (PASID_API_URL).
        {error.digest ? ` Reference: ${error.digest}.` : ''}
      </p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
