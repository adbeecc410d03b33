import { type NextRequest, NextResponse } from 'next/server';
import { getStates, LedgerError, POLICY_NAMES, type Policy } from '@/lib/ledger';

export const dynamic = 'force-dynamic';

/** Versions one request may ask for (the playback reads ahead in batches). */
const MAX_VERSIONS = 60;

/**
 * The states after input events `?at=` (one, or several as `at=5,6,7`), from the API's time
 * travel (the browser never folds history). Without `?hazards=1` the states leave their hazards
 * out: the replay has them all.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ name: string }> }) {
  const name = decodeURIComponent((await params).name);
  const search = request.nextUrl.searchParams;
  const raw = (search.get('at') ?? '').split(',');
  const versions = raw.map(Number);
  if (raw.length > MAX_VERSIONS || versions.some((v) => !Number.isInteger(v) || v < 0))
    return NextResponse.json(
      { error: `\`at\` must be up to ${MAX_VERSIONS} whole numbers >= 0, comma separated` },
      { status: 400 },
    );
  const policyParam = search.get('policy');
  const policy = POLICY_NAMES.find((p) => p === policyParam) as Policy | undefined;
  try {
    const states = await getStates(name, versions, policy, { hazards: search.get('hazards') === '1' });
    return NextResponse.json(versions.length === 1 ? { state: states[0] } : { states });
  } catch (error) {
    const status = error instanceof LedgerError ? (error.code === 'NOT_FOUND' ? 404 : 400) : 502;
    return NextResponse.json({ error: error instanceof Error ? error.message : String(error) }, { status });
  }
}
