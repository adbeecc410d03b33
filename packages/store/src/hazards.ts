import type { Database } from './database.js';
import { type HazardQuery, type HazardRecord, StoreError } from './event-store.js';

/**
 * Hazards through Prisma Client (typed queries on the one projection table), served by the
 * primary key (system, seq) or the index (code, system, seq).
 */
export async function findHazards(db: Database, query: HazardQuery): Promise<HazardRecord[]> {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 1000) {
    throw new StoreError('INVALID', `limit must be an integer from 1 to 1000, got ${query.limit}`, 'limit');
  }
  const after = query.after;
  return db.prisma.hazard.findMany({
    where: {
      system: query.system,
      code: query.code,
      ...(after && {
        OR: [{ system: { gt: after.system } }, { system: after.system, seq: { gt: after.seq } }],
      }),
    },
    orderBy: [{ system: 'asc' }, { seq: 'asc' }],
    take: query.limit,
  });
}
