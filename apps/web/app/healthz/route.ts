import { NextResponse } from 'next/server';

export const dynamic = 'force-dynamic';

/**
 * The web app's own health, for a proxy or an orchestrator: the server answers. It does not call
 * the API (the API has its own /readyz), so an API outage does not restart the web app.
 */
export function GET() {
  return NextResponse.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } });
}
