import { type NextRequest, NextResponse } from 'next/server';
import { getLaneWindow, LedgerError, POLICY_NAMES, type Policy } from '@/lib/ledger';
import { parseLaneFilter } from '@/lib/replay/lanes';

export const dynamic = 'force-dynamic';

const int = (v: string | null) => (v !== null && /^\d+$/.test(v) ? Number(v) : undefined);

/**
 * A page of the lifetime lanes for the lanes view's zoom and filters, from the API's `lanes`
 * (`?from=&to=&resolution=&offset=&first=&policy=` and the filters pid, tid, pasid, device, fd,
 * code): the browser asks only for the window it draws.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ name: string }> }) {
  const name = decodeURIComponent((await params).name);
  const search = request.nextUrl.searchParams;
  const policyParam = search.get('policy');
  try {
    const window = await getLaneWindow(name, {
      policy: POLICY_NAMES.find((p) => p === policyParam) as Policy | undefined,
      from: int(search.get('from')),
      to: int(search.get('to')),
      resolution: int(search.get('resolution')),
      offset: int(search.get('offset')),
      first: int(search.get('first')),
      filter: parseLaneFilter(Object.fromEntries(search)),
    });
    return NextResponse.json(window);
  } catch (error) {
    const status = error instanceof LedgerError ? (error.code === 'NOT_FOUND' ? 404 : 400) : 502;
    return NextResponse.json({ error: error instanceof Error ? error.message : String(error) }, { status });
  }
}
