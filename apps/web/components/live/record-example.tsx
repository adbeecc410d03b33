/** How to record into this system: the request a tracer or a script sends to the API. */
export function RecordExample({ system, apiUrl }: { system: string; apiUrl: string }) {
  const body = JSON.stringify({
    query:
      'mutation Record($system: String!, $events: [LifecycleEventInput!]!) { recordEvents(system: $system, events: $events) { version } }',
    variables: {
      system,
      events: [
        { type: 'ProcessCreated', pid: 100 },
        { type: 'DeviceBound', pid: 100, device: '0000:6a:01.0' },
      ],
    },
  });
  const command = [
    `curl -s ${apiUrl} \\`,
    `  -H 'content-type: application/json' \\`,
    `  -H "authorization: Bearer $PASID_API_KEY" \\`,
    `  -d '${body.replaceAll("'", "'\\''")}'`,
  ].join('\n');
  return (
    <section className="panel" data-testid="record-example" id="record">
      <h2>Record events</h2>
      <p className="small">
        Send input events to the API's <code>recordEvents</code> with a writer key; they appear here as they
        are stored. For a whole file, use <code>pasid import</code> or the import form on the systems page.
      </p>
      <pre className="mono small code-block">{command}</pre>
    </section>
  );
}
