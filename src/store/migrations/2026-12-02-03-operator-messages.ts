// Frozen in time: imports nothing from the application.
// The operators' half of the chats (issue 16): an edited flag on messages (im.message.update's IS_EDITED), and
// customers numbered from 1 000 000 001, so that a customer's id never equals a directory user's: both appear as
// authors in one chat (im.dialog.messages.get `author_id`, `users`), as in the reference, where a connector's
// customer is a portal user. Customers made before keep their ids.
import { type Kysely, sql } from 'kysely';

export const name = '2026-12-02-03-operator-messages';

const CUSTOMER_IDS_FROM = 1_000_000_000;

export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await sql`alter table messages add column edited integer not null default 0`.execute(db);
  if (dialect === 'sqlite') {
    await sql`insert into sqlite_sequence (name, seq) select 'customers', 0
      where not exists (select 1 from sqlite_sequence where name = 'customers')`.execute(db);
    await sql`update sqlite_sequence set seq = ${CUSTOMER_IDS_FROM}
      where name = 'customers' and seq < ${CUSTOMER_IDS_FROM}`.execute(db);
  } else {
    await sql`select setval(pg_get_serial_sequence('customers', 'id'),
      greatest(${CUSTOMER_IDS_FROM}, (select coalesce(max(id), 0) from customers)))`.execute(db);
  }
}
