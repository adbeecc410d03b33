import { type NextRequest, NextResponse } from 'next/server';
import { getEvents, LedgerError } from '@/lib/ledger';
import { filterFromParams } from '@/lib/ledger/filter-params';
import { isLogPosition } from '@/lib/ledger/log-position';

export const dynamic = 'force-dynamic';

/** The next page of the (filtered) log after `?after=`, for the audit table's scrolling. */
export async function GET(request: NextRequest) {
  const params = Object.fromEntries(request.nextUrl.searchParams.entries());
  const after = params.after;
  if (after !== undefined && !isLogPosition(after))
    return NextResponse.json({ error: '`after` must be a position' }, { status: 400 });
  try {
    return NextResponse.json(await getEvents(filterFromParams(params), after, 500));
  } catch (error) {
    const status = error instanceof LedgerError ? 400 : 502;
    return NextResponse.json({ error: error instanceof Error ? error.message : String(error) }, { status });
  }
}
