import { createHash, randomBytes } from 'node:crypto';
import type { Database } from './database.js';
import { type ApiKeyInfo, type ApiKeyRole, type ApiKeyStore, StoreError } from './event-store.js';

const ROLES: readonly ApiKeyRole[] = ['reader', 'writer', 'admin'];

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

type KeyRow = { name: string; role: string; createdAt: Date; revokedAt: Date | null };
const toInfo = (row: KeyRow): ApiKeyInfo => ({
  name: row.name,
  role: row.role as ApiKeyRole,
  createdAt: row.createdAt,
  revokedAt: row.revokedAt,
});

/** API keys through the Prisma client: only the SHA-256 of a token is stored. */
export class ApiKeys implements ApiKeyStore {
  constructor(private readonly db: Database) {}

  async create(name: string, role: ApiKeyRole): Promise<{ token: string; key: ApiKeyInfo }> {
    if (typeof name !== 'string' || name.trim() === '' || name.length > 100) {
      throw new StoreError('INVALID', 'a key name must be 1 to 100 characters, not blank');
    }
    if (!ROLES.includes(role)) throw new StoreError('INVALID', `role must be one of ${ROLES.join(', ')}`);
    const token = `pasid_${randomBytes(24).toString('base64url')}`;
    const existing = await this.db.prisma.apiKey.findUnique({ where: { name } });
    if (existing) throw new StoreError('ALREADY_EXISTS', `an API key named ${name} already exists`);
    try {
      const row = await this.db.prisma.apiKey.create({ data: { name, role, tokenHash: hashToken(token) } });
      return { token, key: toInfo(row) };
    } catch (error) {
      if ((error as { code?: string }).code === 'P2002') {
        throw new StoreError('ALREADY_EXISTS', `an API key named ${name} already exists`);
      }
      throw error;
    }
  }

  async authenticate(token: string): Promise<ApiKeyInfo | null> {
    if (typeof token !== 'string' || token === '') return null;
    const row = await this.db.prisma.apiKey.findUnique({ where: { tokenHash: hashToken(token) } });
    return row && row.revokedAt === null ? toInfo(row) : null;
  }

  async revoke(name: string): Promise<boolean> {
    const result = await this.db.prisma.apiKey.updateMany({
      where: { name, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return result.count > 0;
  }

  async list(): Promise<ApiKeyInfo[]> {
    const rows = await this.db.prisma.apiKey.findMany({ orderBy: { name: 'asc' } });
    return rows.map(toInfo);
  }
}
