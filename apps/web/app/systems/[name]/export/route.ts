import { exportHistoryStream, LedgerUnavailableError } from '@/lib/ledger';

export const dynamic = 'force-dynamic';

/**
 * Downloads a system's history as a history file (header, then input events only), streamed from
 * the API's `/systems/{name}/history` as it reads the log: never held whole here.
 */
export async function GET(_request: Request, { params }: { params: Promise<{ name: string }> }) {
  const name = decodeURIComponent((await params).name);
  let upstream: Response;
  try {
    upstream = await exportHistoryStream(name);
  } catch (error) {
    if (error instanceof LedgerUnavailableError) return new Response(error.message, { status: 502 });
    throw error;
  }
  if (!upstream.ok || !upstream.body) {
    const answer = (await upstream.json().catch(() => null)) as { errors?: { message: string }[] } | null;
    const message = answer?.errors?.[0]?.message ?? `the API answered ${upstream.status}`;
    return new Response(message, { status: upstream.status === 404 ? 404 : 502 });
  }
  return new Response(upstream.body, {
    headers: {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="${name.replace(/[^\w.-]/g, '_')}.jsonl"`,
    },
  });
}
