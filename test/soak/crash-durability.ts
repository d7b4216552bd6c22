// Crash durability (issue 8): concurrent config.add / config.update load against a real `openlines serve`
// process, SIGKILL at random moments, restart on the same store, then check every line:
// - every acknowledged write is there with exactly the acknowledged content (lost = 0);
// - a write that got no answer is either wholly there or wholly absent: each update changes several fields and
//   the queue (another table) to values derived from one generation number, so a half-write shows as fields of
//   different generations (half-writes = 0);
// - no line appears that nobody asked for.
// Each worker owns its lines and updates them one at a time, so a line's state after a crash is either its last
// acknowledged generation or the one in flight. Used by crash-durability.test.ts (short) and run.ts (long).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryService } from '../../src/domain/directory/directory-service.js';
import { openStore } from '../../src/store/open-store.js';
import { type ServeProcess, spawnServe, startServeProcess } from '../helpers/server-process.js';
import { createTestDatabase, type StoreKind } from '../helpers/stores.js';
import { random } from './random.js';

export interface CrashOptions {
  readonly store: StoreKind;
  /** SIGKILLs to deliver (some of them, with killDuringStartRate, while the server starts). */
  readonly kills: number;
  readonly workers: number;
  /** Load runs this long (uniformly at random between the two) before each kill. */
  readonly minUpMs: number;
  readonly maxUpMs: number;
  /** Share of restarts killed again while starting (0 in the short mode). */
  readonly killDuringStartRate: number;
  readonly seed: number;
  readonly log?: (line: string) => void;
}

export interface CrashReport {
  readonly store: StoreKind;
  readonly seed: number;
  kills: number;
  killsDuringStart: number;
  restarts: number;
  addsAcknowledged: number;
  updatesAcknowledged: number;
  /** Requests without an answer when their server was killed (the writes a crash could tear). */
  inFlightAtKill: number;
  /** Unanswered writes found committed after the restart (whole, as required). */
  unacknowledgedCommitted: number;
  /** Line checks after the restarts (each checks the line's last acknowledged write, field by field). */
  linesChecked: number;
  lost: number;
  halfWrites: number;
  /** Answers that were neither a success nor a dropped connection (a write refused or a 5xx). */
  unexpectedAnswers: number;
  readonly failures: string[];
}

const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

interface LineState {
  readonly tag: string;
  /** Null until the add's answer (or the check after a crash) gives it. */
  id: number | null;
  /** The last generation known to be committed; -1 before the add is known to be. */
  acked: number;
  /** The generation of the write in flight (no answer yet). */
  pending: number | null;
}

/** What generation `gen` of line `tag` sends; every field is derived from both, so parts can be told apart. */
export function payloadFor(tag: string, gen: number, users: readonly number[]): Record<string, unknown> {
  const rotated = [...users.slice(gen % users.length), ...users.slice(0, gen % users.length)];
  return {
    LINE_NAME: `${tag} g${gen}`,
    WELCOME_MESSAGE_TEXT: `Welcome to ${tag}, generation ${gen} ✓ ${'·'.repeat(200 + (gen % 50))} ${gen}`,
    QUEUE_TIME: 30 + (gen % 500),
    CHECK_AVAILABLE: gen % 2 === 1 ? 'Y' : 'N',
    WORKTIME_DAYOFF: DAYS.slice(gen % 7, (gen % 7) + 1 + (gen % 3)),
    QUEUE: rotated.slice(0, 1 + (gen % 3)).map((id) => ({ ENTITY_TYPE: 'user', ENTITY_ID: String(id) })),
  };
}

/** The fields of config.get that must equal what generation `gen` sent; differences named. */
function differences(got: Record<string, unknown>, tag: string, gen: number, users: readonly number[]): string[] {
  const sent = payloadFor(tag, gen, users);
  const expected: Record<string, unknown> = {
    LINE_NAME: sent.LINE_NAME,
    WELCOME_MESSAGE_TEXT: sent.WELCOME_MESSAGE_TEXT,
    QUEUE_TIME: String(sent.QUEUE_TIME),
    CHECK_AVAILABLE: sent.CHECK_AVAILABLE,
    WORKTIME_DAYOFF: sent.WORKTIME_DAYOFF,
    QUEUE: (sent.QUEUE as { ENTITY_ID: string }[]).map((q) => q.ENTITY_ID),
  };
  const out: string[] = [];
  for (const [key, value] of Object.entries(expected)) {
    if (JSON.stringify(got[key]) !== JSON.stringify(value)) {
      out.push(`${key}: got ${JSON.stringify(got[key])?.slice(0, 80)}, expected ${JSON.stringify(value).slice(0, 80)}`);
    }
  }
  return out;
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

export async function runCrashDurability(options: CrashOptions): Promise<CrashReport> {
  const log = options.log ?? (() => {});
  const rand = random(options.seed);
  const report: CrashReport = {
    store: options.store,
    seed: options.seed,
    kills: 0,
    killsDuringStart: 0,
    restarts: 0,
    addsAcknowledged: 0,
    updatesAcknowledged: 0,
    inFlightAtKill: 0,
    unacknowledgedCommitted: 0,
    linesChecked: 0,
    lost: 0,
    halfWrites: 0,
    unexpectedAnswers: 0,
    failures: [],
  };
  const fail = (message: string) => {
    if (report.failures.length < 50) report.failures.push(message);
  };

  const dataDir = mkdtempSync(join(tmpdir(), 'openlines-crash-'));
  const database = await createTestDatabase(options.store, dataDir);
  const serveOptions = { databaseUrl: database.url, dataDir };
  let server: ServeProcess | null = null;
  try {
    server = await startServeProcess(serveOptions);
    if (!server.firstHook) throw new Error(`the first start prints the webhook:\n${server.output()}`);
    const hookPath = new URL(server.firstHook).pathname;
    // Operators for the queues, added beside the running server as `openlines user add` would.
    const users = [1];
    {
      const store = await openStore(database.url, { migrate: false });
      try {
        const directory = new DirectoryService(store);
        for (const name of ['Ann', 'Bob', 'Cleo']) users.push(await directory.addUser({ name }));
      } finally {
        await store.close();
      }
    }

    const lines: LineState[] = [];
    let lineCounter = 0;

    for (let round = 1; report.kills < options.kills; round++) {
      const base = `${server.url}${hookPath}`;
      const inFlight = new Set<number>();
      let requestCounter = 0;
      let stopping = false;
      const mine = new Map<number, LineState[]>();
      for (const state of lines) {
        const owner = Number(/^w(\d+)-/.exec(state.tag)?.[1]) % options.workers;
        if (!mine.has(owner)) mine.set(owner, []);
        if (state.id !== null && state.pending === null) mine.get(owner)!.push(state);
      }

      const worker = async (w: number) => {
        const own = mine.get(w) ?? [];
        while (!stopping) {
          const requestId = requestCounter++;
          const doAdd = own.length === 0 || rand() < 0.3;
          const state: LineState = doAdd
            ? { tag: `w${w}-n${lineCounter++}`, id: null, acked: -1, pending: 0 }
            : own[Math.floor(rand() * own.length)]!;
          if (doAdd) lines.push(state);
          else state.pending = state.acked + 1;
          const params = payloadFor(state.tag, state.pending!, users);
          inFlight.add(requestId);
          let answer: Answer;
          try {
            answer = doAdd
              ? await post(`${base}imopenlines.config.add`, { PARAMS: params })
              : await post(`${base}imopenlines.config.update`, { CONFIG_ID: state.id, PARAMS: params });
          } catch (error) {
            // The connection died with the server: no answer, so the write may or may not be there.
            if (!stopping) fail(`round ${round}: a request failed while the server ran: ${(error as Error).message}`);
            // A pending add is settled by the check; an update stays pending, and its line out of `own`.
            if (!doAdd) own.splice(own.indexOf(state), 1);
            return;
          } finally {
            inFlight.delete(requestId);
          }
          const ok = doAdd
            ? answer.status === 200 && typeof answer.body?.result === 'number'
            : answer.status === 200 && answer.body?.result === true;
          if (!ok) {
            report.unexpectedAnswers++;
            fail(
              `round ${round}: ${doAdd ? 'add' : 'update'} answered ${answer.status} ${JSON.stringify(answer.body)}`,
            );
            continue;
          }
          if (doAdd) {
            state.id = answer.body.result;
            report.addsAcknowledged++;
            own.push(state);
          } else report.updatesAcknowledged++;
          state.acked = state.pending!;
          state.pending = null;
        }
      };

      const running = Array.from({ length: options.workers }, (_, w) => worker(w));
      const upMs = options.minUpMs + rand() * (options.maxUpMs - options.minUpMs);
      await new Promise((r) => setTimeout(r, upMs));
      const unanswered = inFlight.size;
      report.inFlightAtKill += unanswered;
      stopping = true;
      await server.kill('SIGKILL');
      report.kills++;
      await Promise.all(running);
      log(
        `[${options.store}] kill ${report.kills}: after ${Math.round(upMs)} ms of load, ${unanswered} writes in flight`,
      );

      // Restart; sometimes kill it again while it starts (opening the store, migrations check, bootstrap).
      while (report.kills < options.kills && rand() < options.killDuringStartRate) {
        const starting = spawnServe(serveOptions);
        await new Promise((r) => setTimeout(r, rand() * 1_500));
        starting.child.kill('SIGKILL');
        await starting.exited;
        report.kills++;
        report.killsDuringStart++;
        log(`[${options.store}] kill ${report.kills}: during start-up`);
      }
      server = await startServeProcess(serveOptions);
      report.restarts++;
      if (server.firstHook) fail(`restart ${report.restarts} bootstrapped the portal again`);
      await verify(`${server.url}${hookPath}`, lines, users, report, fail);
      await verifyHistory(database.url, lines, report, fail);
    }
    const stopped = await server.kill('SIGTERM');
    if (stopped.code !== 0) fail(`the last server did not stop cleanly on SIGTERM: ${JSON.stringify(stopped)}`);
    server = null;
    return report;
  } finally {
    if (server) await server.kill('SIGKILL');
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The history is written in each change's transaction: a line at generation g has exactly g + 1 revisions (its
 * add and g updates, each of which changed the name). One more or one fewer is a torn write across tables.
 */
async function verifyHistory(
  databaseUrl: string,
  lines: readonly LineState[],
  report: CrashReport,
  fail: (message: string) => void,
): Promise<void> {
  const store = await openStore(databaseUrl, { migrate: false });
  try {
    const rows = await store.db
      .selectFrom('line_revisions')
      .select(['line_id', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('line_id')
      .execute();
    const revisions = new Map(rows.map((r) => [Number(r.line_id), Number(r.n)]));
    for (const state of lines) {
      if (state.id === null) continue;
      const n = revisions.get(state.id) ?? 0;
      if (n !== state.acked + 1) {
        report.halfWrites++;
        fail(`${state.tag} (line ${state.id}) is at generation ${state.acked} but has ${n} revisions`);
      }
    }
  } finally {
    await store.close();
  }
}

/** After a restart: every line as the bookkeeping allows it, and nothing else. */
async function verify(
  base: string,
  lines: LineState[],
  users: readonly number[],
  report: CrashReport,
  fail: (message: string) => void,
): Promise<void> {
  // Every line, by paging list.get (its total must match what it pages through).
  const listed: { ID: string; LINE_NAME: string }[] = [];
  let total = -1;
  for (let start = 0; ; start += 200) {
    const page = await post(`${base}imopenlines.config.list.get`, {
      PARAMS: { select: ['ID', 'LINE_NAME'], order: { ID: 'ASC' }, limit: 200, offset: start },
    });
    if (page.status !== 200) throw new Error(`list.get answered ${page.status} ${JSON.stringify(page.body)}`);
    total = page.body.total;
    listed.push(...page.body.result);
    if (page.body.result.length < 200) break;
  }
  if (listed.length !== total) fail(`list.get total ${total} but ${listed.length} lines paged`);
  const byTag = new Map<string, { id: number; gen: number }[]>();
  for (const row of listed) {
    const match = /^(w\d+-n\d+) g(\d+)$/.exec(row.LINE_NAME);
    if (!match) {
      fail(`a line nobody wrote: ${JSON.stringify(row)}`);
      continue;
    }
    const rows = byTag.get(match[1]!) ?? [];
    rows.push({ id: Number(row.ID), gen: Number(match[2]) });
    byTag.set(match[1]!, rows);
  }

  for (let i = lines.length - 1; i >= 0; i--) {
    const state = lines[i]!;
    const rows = byTag.get(state.tag) ?? [];
    byTag.delete(state.tag);
    if (state.id === null) {
      // An add without an answer: wholly there (once) or wholly absent.
      if (rows.length === 0) {
        lines.splice(i, 1);
        continue;
      }
      if (rows.length > 1) fail(`${state.tag}: an unanswered add made ${rows.length} lines`);
      state.id = rows[0]!.id;
      report.unacknowledgedCommitted++;
    } else if (rows.length !== 1 || rows[0]!.id !== state.id) {
      report.lost++;
      fail(`${state.tag} (line ${state.id}, generation ${state.acked} acknowledged) is gone: ${JSON.stringify(rows)}`);
      lines.splice(i, 1);
      continue;
    }
    const got = await post(`${base}imopenlines.config.get`, { CONFIG_ID: state.id });
    report.linesChecked++;
    if (got.status !== 200 || typeof got.body?.result !== 'object') {
      report.lost++;
      fail(`${state.tag}: config.get answered ${got.status} ${JSON.stringify(got.body)}`);
      continue;
    }
    const gen = Number(/ g(\d+)$/.exec(String(got.body.result.LINE_NAME))?.[1]);
    if (gen !== state.acked && gen !== state.pending) {
      if (gen < state.acked) report.lost++;
      fail(`${state.tag}: generation ${gen} visible, acknowledged ${state.acked}, in flight ${state.pending}`);
    } else if (gen === state.pending && state.acked >= 0) {
      report.unacknowledgedCommitted++;
    }
    const diff = differences(got.body.result, state.tag, gen, users);
    if (diff.length > 0) {
      report.halfWrites++;
      fail(`${state.tag} generation ${gen} is not whole: ${diff.join('; ')}`);
    }
    state.acked = gen;
    state.pending = null;
  }
  for (const [tag, rows] of byTag) fail(`lines of ${tag} that no worker wrote: ${JSON.stringify(rows)}`);
}
