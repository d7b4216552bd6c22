// Prepares a store for the bench outside the timed part: the portal and its first webhook (the server's own
// first-start bootstrap), users 2..23 so that the seed's queue (users 1, 15, 23) resolves as on a real portal,
// one line added through the line service with the seed payload, and then `lines - 1` copies of it made by the
// database itself in one statement per table (a few seconds for 100 000 lines, instead of minutes of calls).
// Also a connector application (`openlines app create` with scopes imopenlines,imconnector) and a long-lived token
// for it, for the scenarios a connector sends (imconnector.*: application context only).

import { sql } from 'kysely';
import type { Caller } from '../src/domain/caller.js';
import { DirectoryService } from '../src/domain/directory/directory-service.js';
import { InputReport } from '../src/domain/input/input-report.js';
import { readLineInput } from '../src/domain/lines/apply-input.js';
import { LineService } from '../src/domain/lines/line-service.js';
import { OAuthService } from '../src/domain/oauth/oauth-service.js';
import { openStore } from '../src/store/open-store.js';
import type { OpenedStore } from '../src/store/store.js';
import { SEED_PARAMS } from '../test/helpers/seed.js';

export interface PreparedStore {
  readonly webhook: { userId: number; code: string };
  /** The connector application's access token (as user 1, valid for a day) and its application_token. */
  readonly app: { token: string; applicationToken: string };
  readonly lines: number;
}

const BENCH_CALLER: Caller = {
  userId: 1,
  isAdmin: true,
  authKind: 'webhook',
  credentialId: 'bench',
  scopes: new Set(['imopenlines']),
  strict: false,
};

/** Columns of one row of `table`, but `skip` (the generated id). */
async function columnsOf(
  store: OpenedStore,
  table: string,
  where: string,
  id: number,
  skip: string[],
): Promise<string[]> {
  const row = (await sql<Record<string, unknown>>`select * from ${sql.table(table)} where ${sql.ref(where)} = ${id}`
    .execute(store.db)
    .then((r) => r.rows[0])) ?? { [where]: id };
  return Object.keys(row).filter((c) => !skip.includes(c));
}

/** Copies the template line's rows in `table` (keyed by `lineColumn`) to every other line. */
async function copyQueue(store: OpenedStore, table: string, lineColumn: string, template: number, skip: string[]) {
  const columns = await columnsOf(store, table, lineColumn, template, skip);
  const others = columns.filter((c) => c !== lineColumn);
  if (others.length === 0) return;
  const list = (prefix: string) => sql.join(others.map((c) => sql.ref(`${prefix}.${c}`)));
  await sql`insert into ${sql.table(table)} (${sql.ref(lineColumn)}, ${sql.join(others.map((c) => sql.ref(c)))})
    select l.id, ${list('q')} from lines l cross join ${sql.table(table)} q
    where q.${sql.ref(lineColumn)} = ${template} and l.id <> ${template}`.execute(store.db);
}

export async function prepareStore(url: string, lines: number, portalName: string): Promise<PreparedStore> {
  const store = await openStore(url);
  try {
    const directory = new DirectoryService(store);
    const webhook = await directory.bootstrap(portalName);
    if (!webhook) throw new Error(`the bench needs an empty store, and ${url} is not`);
    for (let id = 2; id <= 23; id++) await directory.addUser({ name: `Operator ${id}`, online: true });

    const service = new LineService(store, { companyName: portalName });
    const report = new InputReport(false);
    const input = readLineInput(SEED_PARAMS, 'add', { companyName: portalName });
    const added = await service.add(BENCH_CALLER, input, report);
    if (typeof added !== 'number') throw new Error(`the seed line was refused: ${JSON.stringify(report.warnings)}`);
    const template = added;
    if (lines > 1) {
      const columns = (await columnsOf(store, 'lines', 'id', template, ['id'])).filter((c) => c !== 'line_name');
      const ref = (c: string) => sql.ref(`l.${c}`);
      await sql`with recursive n(i) as (select 2 union all select i + 1 from n where i < ${lines})
        insert into lines (line_name, ${sql.join(columns.map((c) => sql.ref(c)))})
        select ${sql.ref('l.line_name')} || ' ' || n.i, ${sql.join(columns.map(ref))}
        from n cross join lines l where l.id = ${template} order by n.i`.execute(store.db);
      await copyQueue(store, 'line_config_queue', 'line_id', template, []);
      await copyQueue(store, 'line_queue', 'line_id', template, ['id']);
      await sql`update portal set line_counter = (select count(*) from lines)`.execute(store.db);
    }
    // The steady state a running server reaches by itself: statistics for the planner, the WAL folded in.
    if (store.capabilities.dialect === 'postgres') await sql`vacuum analyze`.execute(store.db);
    else await sql`pragma wal_checkpoint(truncate)`.execute(store.db);
    const oauth = new OAuthService(store, { accessTokenTtlSeconds: 86_400, refreshTokenTtlSeconds: 86_400 });
    const created = await oauth.createApp({ name: 'Bench bridge', scopes: ['imopenlines', 'imconnector'] });
    const token = (await oauth.issueToken(created.clientId, 1)).accessToken;
    const count = await sql<{ n: number }>`select count(*) as n from lines`.execute(store.db);
    return {
      webhook,
      app: { token, applicationToken: created.applicationToken },
      lines: Number(count.rows[0]?.n ?? 0),
    };
  } finally {
    await store.close();
  }
}
