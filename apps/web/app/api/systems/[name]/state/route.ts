import { type NextRequest, NextResponse } from 'next/server';
import { getStates, LedgerError, POLICY_NAMES, type Policy } from '@/lib/ledger';

export const dynamic = 'force-dynamic';

/**
 * The state after input event `?at=`, from the API's time travel (the browser never folds
 * history). Without `?hazards=1` the state leaves its hazards out: the replay has them all.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ name: string }> }) {
  const name = decodeURIComponent((await params).name);
  const search = request.nextUrl.searchParams;
  const at = Number(search.get('at'));
  if (!Number.isInteger(at) || at < 0)
    return NextResponse.json({ error: '`at` must be a whole number >= 0' }, { status: 400 });
  const policyParam = search.get('policy');
  const policy = POLICY_NAMES.find((p) => p === policyParam) as Policy | undefined;
  try {
    const [state] = await getStates(name, [at], policy, { hazards: search.get('hazards') === '1' });
    return NextResponse.json({ state });
  } catch (error) {
    const status = error instanceof LedgerError ? (error.code === 'NOT_FOUND' ? 404 : 400) : 502;
    return NextResponse.json({ error: error instanceof Error ? error.message : String(error) }, { status });
  }
}
