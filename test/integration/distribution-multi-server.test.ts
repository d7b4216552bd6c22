// Session timers with several `openlines serve` processes on one PostgreSQL (issue 17): 200 sessions fall due for
// redistribution on two servers at once, one of them is killed with SIGKILL while it works, and the survivor takes
// over what the dead one had claimed once its claims expire — every session is redistributed exactly once (one
// "Enquiry transferred" note each), none is lost. Both servers run on the test clock (`OPENLINES_CLOCK=manual`),
// moved together through `openlines.clock.set`.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SYSTEM_TEXTS } from '../../src/domain/sessions/system-texts.js';
import { ServeCluster } from '../helpers/serve-cluster.js';
import type { ServeProcess } from '../helpers/server-process.js';
import { STORES } from '../helpers/stores.js';

const onPostgres = STORES.includes('postgres');
const SESSIONS = 200;

describe('session timers with several servers on one PostgreSQL', {
  skip: onPostgres ? false : 'OPENLINES_TEST_STORES excludes postgres',
}, () => {
  const cluster = new ServeCluster('openlines-dist-ms-');
  const admin = cluster.admin.bind(cluster);
  const app = cluster.app.bind(cluster);
  const store = () => cluster.store;

  before(() => cluster.start(2));
  after(() => cluster.close());

  it('200 sessions redistributed once each while one server is killed mid-run', async () => {
    const [a, b] = cluster.servers as [ServeProcess, ServeProcess];
    const x = 1;
    const addUser = async (name: string) =>
      Number(
        (
          await store().write((trx) =>
            trx
              .insertInto('users')
              .values({
                name,
                last_name: '',
                work_position: '',
                avatar: '',
                active: 1,
                is_admin: 0,
                is_extranet: 0,
                is_online: 1,
                created_at: new Date().toISOString(),
              })
              .returning('id')
              .executeTakeFirstOrThrow(),
          )
        ).id,
      );
    const y = await addUser('Yannick');
    // A common moment for both clocks, ahead of either.
    const t0 = Date.now() + 60_000;
    for (const server of [a, b]) await cluster.setClock(server, t0);
    await cluster.connector(a, 'multi');
    const line = (
      await admin(a, 'imopenlines.config.add', {
        PARAMS: {
          LINE_NAME: 'Multi',
          QUEUE_TYPE: 'strictly',
          QUEUE_TIME: 60,
          QUEUE: [
            { ENTITY_TYPE: 'user', ENTITY_ID: String(x) },
            { ENTITY_TYPE: 'user', ENTITY_ID: String(y) },
          ],
        },
      })
    ).body.result as number;
    assert.equal(
      (await app(a, 'imconnector.activate', { CONNECTOR: 'multi', LINE: line, ACTIVE: 1 })).body.result,
      true,
    );
    for (let i = 0; i < SESSIONS; i += 50) {
      const messages = [];
      for (let j = i; j < i + 50; j++)
        messages.push({ user: { id: `m${j}` }, message: { text: 'hi' }, chat: { id: `c${j}` } });
      const sent = await app(i % 100 === 0 ? a : b, 'imconnector.send.messages', {
        CONNECTOR: 'multi',
        LINE: line,
        MESSAGES: messages,
      });
      assert.equal(sent.status, 200, sent.text);
    }

    // Both servers reach QUEUE_TIME together; A dies while it redistributes.
    const due = new Date(t0 + 60_000).toISOString();
    const onA = admin(a, 'openlines.clock.set', { TIME: due }).catch(() => null);
    const onB = admin(b, 'openlines.clock.set', { TIME: due });
    await new Promise((resolve) => setTimeout(resolve, 150));
    await a.kill('SIGKILL');
    await onA;
    assert.equal((await onB).status, 200);
    // What A had claimed is B's once the claims expire (30 s by the clock).
    await cluster.setClock(b, t0 + 91_000);

    const sessions = await store().read((db) =>
      db
        .selectFrom('sessions')
        .select(['id', 'chat_id', 'operator_id', 'status'])
        .where('line_id', '=', line)
        .execute(),
    );
    assert.equal(sessions.length, SESSIONS);
    const moved = await store().read((db) =>
      db
        .selectFrom('messages')
        .select(['chat_id', (eb) => eb.fn.countAll().as('n')])
        .where('text', '=', SYSTEM_TEXTS.transferredByQueue(y))
        .groupBy('chat_id')
        .execute(),
    );
    const counts = new Map(moved.map((m) => [Number(m.chat_id), Number(m.n)]));
    for (const session of sessions) {
      assert.equal(Number(session.operator_id), y, `session ${session.id} is with Y`);
      assert.equal(Number(session.status), 5);
      assert.equal(counts.get(Number(session.chat_id)), 1, `session ${session.id} moved exactly once`);
    }
  });
});
