import { exportHistory, LedgerError } from '@/lib/ledger';

export const dynamic = 'force-dynamic';

/** Downloads a system's history as a history file (header, then input events only). */
export async function GET(_request: Request, { params }: { params: Promise<{ name: string }> }) {
  const name = decodeURIComponent((await params).name);
  try {
    const text = await exportHistory(name);
    return new Response(text, {
      headers: {
        'content-type': 'application/x-ndjson; charset=utf-8',
        'content-disposition': `attachment; filename="${name.replace(/[^\w.-]/g, '_')}.jsonl"`,
      },
    });
  } catch (error) {
    const status = error instanceof LedgerError && error.code === 'NOT_FOUND' ? 404 : 502;
    return new Response(error instanceof Error ? error.message : 'export failed', { status });
  }
}
