import { historyTooLarge } from '@pasid/domain';
import { revalidatePath } from 'next/cache';
import { env } from '@/lib/env';
import { importHistoryStream, LedgerUnavailableError } from '@/lib/ledger';
import { requestKey } from '@/lib/session';

export const dynamic = 'force-dynamic';

/** What the import form reads back: the stored system, or the error with its line. */
export type HistoryUploadAnswer =
  | { ok: true; system: string; version: number; events: number }
  | { ok: false; error: string; line: number | null };

const answer = (status: number, body: HistoryUploadAnswer) => Response.json(body, { status });

/**
 * The web app's import of a history file: the browser uploads the file itself (with its upload
 * progress shown), and this route passes the bytes on to the API's `/systems/{name}/history` as
 * they arrive, counting them: past PASID_HISTORY_LIMIT the upload is cut and the API, whose
 * import has not committed, stores nothing. The API refuses the same files (same variable).
 */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  const name = decodeURIComponent((await params).name);
  const policy = new URL(request.url).searchParams.get('policy') ?? undefined;
  // The API would refuse it too; saying so here spares the upload.
  if (!(await requestKey())) {
    return answer(401, {
      ok: false,
      error: 'sign in to write: imports are recorded under your own key',
      line: null,
    });
  }
  const limit = env().historyLimit;
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    return answer(413, { ok: false, error: historyTooLarge(limit), line: null });
  }
  if (!request.body) return answer(400, { ok: false, error: 'choose a history file', line: null });
  let seen = 0;
  let tooLarge = false;
  const counted = request.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > limit) {
          tooLarge = true;
          controller.error(new Error(historyTooLarge(limit)));
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
  let upstream: Response;
  try {
    upstream = await importHistoryStream(name, policy || undefined, counted);
  } catch (error) {
    if (tooLarge) return answer(413, { ok: false, error: historyTooLarge(limit), line: null });
    if (error instanceof LedgerUnavailableError)
      return answer(502, { ok: false, error: error.message, line: null });
    throw error;
  }
  const body = (await upstream.json().catch(() => null)) as {
    system?: string;
    version?: number;
    events?: number;
    errors?: { message: string; extensions?: { line?: number } }[];
  } | null;
  if (upstream.status === 201 && body?.system !== undefined) {
    revalidatePath('/');
    return answer(201, {
      ok: true,
      system: body.system,
      version: body.version ?? 0,
      events: body.events ?? 0,
    });
  }
  const first = body?.errors?.[0];
  return answer(upstream.status >= 400 ? upstream.status : 502, {
    ok: false,
    error: first?.message ?? `the API answered ${upstream.status}`,
    line: typeof first?.extensions?.line === 'number' ? first.extensions.line : null,
  });
}
