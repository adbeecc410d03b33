/**
 * Whether an error means the database connection was lost or refused (a restart, a failover,
 * `pg_terminate_backend`), not that the request was wrong: the caller may retry it. Postgres
 * classes 08 (connection exception) and 57P (operator intervention), the socket errors of `pg`,
 * and Prisma's connection codes (P1001 unreachable, P1002 timed out, P1017 closed).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth += 1) {
    const code = String((e as { code?: unknown }).code ?? '');
    const message = String((e as { message?: unknown }).message ?? '');
    if (
      code.startsWith('08') ||
      code.startsWith('57P') ||
      ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'P1001', 'P1002', 'P1017'].includes(code) ||
      /Connection terminated|terminating connection|not queryable|Client was closed|ECONNRESET|ECONNREFUSED/i.test(
        message,
      )
    )
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
