import type { Server } from 'node:http';
import type { RequestHandler, Response } from 'express';

/**
 * The HTTP side of a clean stop, owned here rather than by Apollo (whose signal handlers and
 * 10-second cut-off dropped requests without an answer). On `drain`: no new connections, idle
 * keep-alive connections closed, every answer from then on says `Connection: close`; requests in
 * flight get `graceMs` to finish; any still running then are answered 503 with `Retry-After`
 * (writes are idempotent by event id, so a retry is safe) before the last connections close.
 */
export class HttpDrain {
  private readonly inFlight = new Set<Response>();
  private draining = false;

  constructor(private readonly server: Server) {}

  /** True from the start of the drain: readiness answers 503 so a proxy stops sending here. */
  get isDraining(): boolean {
    return this.draining;
  }

  /** Counts each request until its response is sent or its connection closes. */
  track(): RequestHandler {
    return (_req, res, next) => {
      this.inFlight.add(res);
      const done = () => this.inFlight.delete(res);
      res.once('finish', done);
      res.once('close', done);
      if (this.draining) res.setHeader('connection', 'close');
      next();
    };
  }

  /** Resolves when every request has been answered (by its handler or by the 503). */
  async drain(graceMs: number): Promise<{ finished: number; refused: number }> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    const started = this.inFlight.size;
    const deadline = Date.now() + graceMs;
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      // A keep-alive connection that just finished a request is idle now: close it.
      this.server.closeIdleConnections();
    }
    let refused = 0;
    for (const res of [...this.inFlight]) {
      if (res.headersSent) continue;
      refused++;
      res
        .status(503)
        .set({ 'retry-after': '1', connection: 'close' })
        .json({
          errors: [
            {
              message: 'the server is shutting down and did not finish this request: retry it',
              extensions: { code: 'SHUTTING_DOWN' },
            },
          ],
        });
    }
    // Give the refusals a moment to leave, then close whatever remains (streams already started).
    if (refused > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    this.server.closeAllConnections();
    await closed;
    return { finished: started - refused, refused };
  }
}
