import { type NextRequest, NextResponse } from 'next/server';
import { getStatePair, LedgerError, POLICY_NAMES, type Policy } from '@/lib/ledger';

export const dynamic = 'force-dynamic';

/** The state at `?at=` and the step before it, for the replay's scrubber (the browser never folds history). */
export async function GET(request: NextRequest, { params }: { params: Promise<{ name: string }> }) {
  const name = decodeURIComponent((await params).name);
  const at = Number(request.nextUrl.searchParams.get('at'));
  if (!Number.isInteger(at) || at < 0)
    return NextResponse.json({ error: '`at` must be a whole number >= 0' }, { status: 400 });
  const policyParam = request.nextUrl.searchParams.get('policy');
  const policy = POLICY_NAMES.find((p) => p === policyParam) as Policy | undefined;
  try {
    return NextResponse.json(await getStatePair(name, at, policy));
  } catch (error) {
    const status = error instanceof LedgerError ? (error.code === 'NOT_FOUND' ? 404 : 400) : 502;
    return NextResponse.json({ error: error instanceof Error ? error.message : String(error) }, { status });
  }
}
