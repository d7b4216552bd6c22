// Crash durability of events (issue 16): customers write into new chats through `imconnector.send.messages`
// against a real `openlines serve` process; each new chat opens a session, whose OnImConnectorDialogStart is
// written to the outbox in the session's transaction and delivered to the connector owner's handler, a real
// HTTP receiver on loopback. The server is SIGKILLed at random moments and restarted on the same store. At the
// end, every session the store holds (acknowledged or not) has had its event arrive (lost = 0), matched by the
// session id in the parsed body. Events are delivered at least once: a repeat of the same delivery is allowed
// when a kill interrupted the first one (its sender died before recording it) or when the attempt had failed
// (a timeout), and both are counted. Used by crash-durability.test.ts (short) and run.ts (long).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OAuthService } from '../../src/domain/oauth/oauth-service.js';
import { openStore } from '../../src/store/open-store.js';
import { parsePhpQuery } from '../../src/wire/php-params.js';
import { EventReceiver, type Received } from '../helpers/event-receiver.js';
import { SEED } from '../helpers/seed.js';
import { type ServeProcess, spawnServe, startServeProcess } from '../helpers/server-process.js';
import { createTestDatabase, type StoreKind } from '../helpers/stores.js';
import { random } from './random.js';

export interface EventCrashOptions {
  readonly store: StoreKind;
  /** SIGKILLs to deliver (some of them, with killDuringStartRate, while the server starts). */
  readonly kills: number;
  readonly workers: number;
  /** Load runs this long (uniformly at random between the two) before each kill. */
  readonly minUpMs: number;
  readonly maxUpMs: number;
  readonly killDuringStartRate: number;
  readonly seed: number;
  /** How long the last server may take to deliver what is left (a killed server's leases expire first). */
  readonly settleTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface EventCrashReport {
  readonly store: StoreKind;
  readonly seed: number;
  kills: number;
  killsDuringStart: number;
  restarts: number;
  /** Sends answered with a session (each opened one and queued its event). */
  sendsAcknowledged: number;
  /** Sends without an answer when their server was killed. */
  inFlightAtKill: number;
  /** Sessions found in the store at the end, and how many of them nobody got an answer for. */
  sessionsCommitted: number;
  unacknowledgedCommitted: number;
  /** POSTs the handler received. */
  deliveries: number;
  /** Committed sessions whose event never arrived, and acknowledged sessions the store lost. */
  lost: number;
  /** Repeats of a delivery: after a kill interrupted it, after a failed attempt, and neither (a fault). */
  duplicatesAfterKill: number;
  duplicatesAfterFailedAttempt: number;
  duplicatesUnexplained: number;
  /** Answers that were neither a success nor a dropped connection. */
  unexpectedAnswers: number;
  /** How long the last server took to deliver what was left, after its start. */
  settleMs: number;
  readonly failures: string[];
}

// biome-ignore lint/suspicious/noExplicitAny: answers are arbitrary JSON
type Answer = { status: number; body: any };

async function post(url: string, body: unknown, timeoutMs = 60_000): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed };
}

const CONNECTOR = 'soak_bridge';
const EVENT = 'ONIMCONNECTORDIALOGSTART';
/** A short POST timeout makes a killed server's leases short (lease = 2 × timeout + 5 s). */
const SERVER_ENV = { EVENT_TIMEOUT: '2', EVENT_POLL_MS: '250' };

interface Receipt {
  readonly session: string;
  readonly delivery: string;
  readonly attempt: number;
  readonly atMs: number;
}

/** What one POST says: the session in its data, the outbox row and attempt in openlines' headers. */
function readReceipt(received: Received, applicationToken: string): Receipt | string {
  // biome-ignore lint/suspicious/noExplicitAny: a parsed form body is arbitrary
  const body = parsePhpQuery(received.body) as Record<string, any>;
  if (body.event !== EVENT) return `an event nobody bound: ${received.body.slice(0, 200)}`;
  if (body.auth?.application_token !== applicationToken) return `a foreign application_token: ${received.body}`;
  // data[DATA][0][session][id] (runtime-connectors.md §11.4).
  const dialogs = body.data?.DATA;
  const session = (Array.isArray(dialogs) ? dialogs[0] : dialogs?.['0'])?.session?.id;
  if (typeof session !== 'string' || !/^\d+$/.test(session)) return `no session id in ${received.body.slice(0, 200)}`;
  return {
    session,
    delivery: String(received.headers['x-openlines-delivery']),
    attempt: Number(received.headers['x-openlines-attempt']),
    atMs: received.atMs,
  };
}

export async function runEventDurability(options: EventCrashOptions): Promise<EventCrashReport> {
  const log = options.log ?? (() => {});
  const rand = random(options.seed);
  const report: EventCrashReport = {
    store: options.store,
    seed: options.seed,
    kills: 0,
    killsDuringStart: 0,
    restarts: 0,
    sendsAcknowledged: 0,
    inFlightAtKill: 0,
    sessionsCommitted: 0,
    unacknowledgedCommitted: 0,
    deliveries: 0,
    lost: 0,
    duplicatesAfterKill: 0,
    duplicatesAfterFailedAttempt: 0,
    duplicatesUnexplained: 0,
    unexpectedAnswers: 0,
    settleMs: 0,
    failures: [],
  };
  const fail = (message: string) => {
    if (report.failures.length < 50) report.failures.push(message);
  };

  const receiver = new EventReceiver();
  await receiver.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'openlines-event-crash-'));
  const database = await createTestDatabase(options.store, dataDir);
  const serveOptions = { databaseUrl: database.url, dataDir, env: SERVER_ENV };
  /** When each SIGKILL was sent (Date.now(), the receiver's clock). */
  const killedAt: number[] = [];
  let server: ServeProcess | null = null;
  try {
    server = await startServeProcess(serveOptions);
    if (!server.firstHook) throw new Error(`the first start prints the webhook:\n${server.output()}`);
    const hookPath = new URL(server.firstHook).pathname;
    // The connector's application, made beside the running server as `openlines app create` would.
    let app: { clientId: string; applicationToken: string };
    let token: string;
    {
      const store = await openStore(database.url, { migrate: false });
      try {
        const oauth = new OAuthService(store, { accessTokenTtlSeconds: 86_400, refreshTokenTtlSeconds: 86_400 });
        app = await oauth.createApp({ name: 'Soak bridge', scopes: ['imopenlines', 'imconnector'] });
        token = (await oauth.issueToken(app.clientId, 1)).accessToken;
      } finally {
        await store.close();
      }
    }
    const setup = async (base: string, method: string, params: Record<string, unknown>, auth = true) => {
      const answer = await post(`${base}${method}`, auth ? { ...params, auth: token } : params);
      if (answer.status !== 200 || answer.body?.result === false) {
        throw new Error(`${method} answered ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      return answer.body.result;
    };
    const line = await setup(`${server.url}${hookPath}`, 'imopenlines.config.add', SEED, false);
    const rest = `${server.url}/rest/`;
    await setup(rest, 'imconnector.register', {
      ID: CONNECTOR,
      NAME: 'Soak bridge',
      ICON: { DATA_IMAGE: 'data:image/svg+xml,x' },
      PLACEMENT_HANDLER: 'https://app.example.com/',
    });
    await setup(rest, 'imconnector.activate', { CONNECTOR, LINE: line, ACTIVE: 1 });
    await setup(rest, 'event.bind', { event: 'OnImConnectorDialogStart', handler: receiver.url('/dialog-start') });

    const acknowledged = new Set<string>();
    let chatCounter = 0;
    for (let round = 1; report.kills < options.kills; round++) {
      const url = `${server.url}/rest/imconnector.send.messages`;
      let inFlight = 0;
      let stopping = false;
      const worker = async (w: number) => {
        while (!stopping) {
          const chat = `w${w}-c${chatCounter++}`;
          inFlight++;
          let answer: Answer;
          try {
            answer = await post(url, {
              CONNECTOR,
              LINE: line,
              MESSAGES: [
                {
                  user: { id: `u-${chat}`, name: 'Soak' },
                  message: { id: `m-${chat}`, text: 'hi' },
                  chat: { id: chat },
                },
              ],
              auth: token,
            });
          } catch (error) {
            if (!stopping) fail(`round ${round}: a send failed while the server ran: ${(error as Error).message}`);
            return;
          } finally {
            inFlight--;
          }
          const item = answer.body?.result?.DATA?.RESULT?.[0];
          const session = item?.session?.ID;
          if (answer.status !== 200 || item?.SUCCESS !== true || typeof session !== 'string') {
            report.unexpectedAnswers++;
            fail(`round ${round}: send answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
            continue;
          }
          if (acknowledged.has(session)) fail(`session ${session} acknowledged twice (a new chat reused it)`);
          acknowledged.add(session);
          report.sendsAcknowledged++;
        }
      };
      const running = Array.from({ length: options.workers }, (_, w) => worker(w));
      const upMs = options.minUpMs + rand() * (options.maxUpMs - options.minUpMs);
      await new Promise((r) => setTimeout(r, upMs));
      const unanswered = inFlight;
      report.inFlightAtKill += unanswered;
      stopping = true;
      killedAt.push(Date.now());
      await server.kill('SIGKILL');
      report.kills++;
      await Promise.all(running);
      log(
        `[${options.store}] event kill ${report.kills}: after ${Math.round(upMs)} ms of load, ${unanswered} sends in flight, ` +
          `${receiver.received.length} deliveries so far`,
      );
      while (report.kills < options.kills && rand() < options.killDuringStartRate) {
        const starting = spawnServe(serveOptions);
        await new Promise((r) => setTimeout(r, rand() * 1_500));
        killedAt.push(Date.now());
        starting.child.kill('SIGKILL');
        await starting.exited;
        report.kills++;
        report.killsDuringStart++;
        log(`[${options.store}] event kill ${report.kills}: during start-up`);
      }
      server = await startServeProcess(serveOptions);
      report.restarts++;
    }

    // The last server delivers what is left: every committed session's event, then nothing is pending.
    const store = await openStore(database.url, { migrate: false });
    let committed: string[];
    try {
      committed = (await store.db.selectFrom('sessions').select('id').execute()).map((r) => String(r.id));
      const settleStart = Date.now();
      const deadline = settleStart + (options.settleTimeoutMs ?? 60_000);
      for (;;) {
        const pending = await store.db
          .selectFrom('event_outbox')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('delivered_at_ms', 'is', null)
          .executeTakeFirstOrThrow();
        if (Number(pending.n) === 0 || Date.now() > deadline) {
          if (Number(pending.n) > 0) fail(`${pending.n} deliveries still pending after the settle timeout`);
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      report.settleMs = Date.now() - settleStart;
      const failed = await store.db
        .selectFrom('event_outbox')
        .select(['id', 'last_error'])
        .where('failed_at_ms', 'is not', null)
        .execute();
      for (const row of failed) fail(`delivery ${row.id} kept as failed: ${row.last_error}`);
    } finally {
      await store.close();
    }

    // Match what arrived with what the store holds.
    report.sessionsCommitted = committed.length;
    const inStore = new Set(committed);
    for (const session of acknowledged) {
      if (!inStore.has(session)) {
        report.lost++;
        fail(`acknowledged session ${session} is not in the store`);
      }
    }
    report.unacknowledgedCommitted = committed.filter((s) => !acknowledged.has(s)).length;
    report.deliveries = receiver.received.length;
    const bySession = new Map<string, Receipt[]>();
    for (const received of receiver.received) {
      const receipt = readReceipt(received, app.applicationToken);
      if (typeof receipt === 'string') {
        fail(receipt);
        continue;
      }
      if (!inStore.has(receipt.session)) fail(`an event for session ${receipt.session}, which the store lacks`);
      const list = bySession.get(receipt.session) ?? [];
      list.push(receipt);
      bySession.set(receipt.session, list);
    }
    for (const session of committed) {
      const receipts = bySession.get(session);
      if (!receipts) {
        report.lost++;
        fail(`session ${session} is committed but its OnImConnectorDialogStart never arrived`);
        continue;
      }
      if (new Set(receipts.map((r) => r.delivery)).size > 1) {
        fail(`session ${session} was queued more than once: deliveries ${receipts.map((r) => r.delivery)}`);
      }
      receipts.sort((a, b) => a.atMs - b.atMs);
      for (let i = 1; i < receipts.length; i++) {
        const [before, again] = [receipts[i - 1]!, receipts[i]!];
        // A kill between the two (the first receipt may be read a moment after its sender died).
        if (killedAt.some((k) => k >= before.atMs - 1_000 && k <= again.atMs)) report.duplicatesAfterKill++;
        else if (again.attempt > before.attempt) report.duplicatesAfterFailedAttempt++;
        else {
          report.duplicatesUnexplained++;
          fail(`session ${session}: delivered again without a kill or a failed attempt: ${JSON.stringify(receipts)}`);
        }
      }
    }
    const stopped = await server.kill('SIGTERM');
    if (stopped.code !== 0) fail(`the last server did not stop cleanly on SIGTERM: ${JSON.stringify(stopped)}`);
    server = null;
    return report;
  } finally {
    if (server) await server.kill('SIGKILL');
    await receiver.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
