// The stores the suites run against. PostgreSQL joins this list when its harness lands (issue #7).

export type StoreKind = 'sqlite' | 'postgres';

const ALL: StoreKind[] = ['sqlite'];

export const STORES: StoreKind[] = (process.env.OPENLINES_TEST_STORES ?? ALL.join(','))
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is StoreKind => (ALL as string[]).includes(s));

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(kind: StoreKind, dataDir: string): Promise<TestDatabase> {
  if (kind === 'sqlite') return { url: `sqlite:${dataDir}/openlines.db`, drop: async () => {} };
  throw new Error(`store ${kind} is not available in tests yet`);
}
