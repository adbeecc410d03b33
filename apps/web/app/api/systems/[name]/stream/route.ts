import { type NextRequest, NextResponse } from 'next/server';
import { getStream, getSystem, LedgerError } from '@/lib/ledger';

export const dynamic = 'force-dynamic';

const MAX_SPAN = 1000;

/** Input versions `from..to` with their derived events, for the virtualized timeline. */
export async function GET(request: NextRequest, { params }: { params: Promise<{ name: string }> }) {
  const name = decodeURIComponent((await params).name);
  const from = Number(request.nextUrl.searchParams.get('from'));
  const to = Number(request.nextUrl.searchParams.get('to'));
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1 || to < from || to - from >= MAX_SPAN) {
    return NextResponse.json(
      { error: `need 1 <= from <= to, at most ${MAX_SPAN} versions` },
      { status: 400 },
    );
  }
  try {
    const system = await getSystem(name);
    if (!system) return NextResponse.json({ error: `no system named "${name}"` }, { status: 404 });
    return NextResponse.json({ events: await getStream(name, from, to) });
  } catch (error) {
    const status = error instanceof LedgerError ? (error.code === 'NOT_FOUND' ? 404 : 400) : 502;
    return NextResponse.json({ error: error instanceof Error ? error.message : String(error) }, { status });
  }
}
