// The database-kept request-rate bucket and operating-time accounting (issue 7) on both stores: they answer
// exactly as the in-memory versions for the same calls and clock, and two limiters on one database (two
// servers) share one burst.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ReadModel } from '../../src/domain/read-model/read-model.js';
import { buildGuards, CallGuards } from '../../src/rest/call-guards.js';
import { OperatingTime, type OperatingTimeOptions } from '../../src/rest/operating-time.js';
import { RequestRateLimiter } from '../../src/rest/rate-limiter.js';
import { SharedOperatingTime, SharedRequestRateLimiter } from '../../src/rest/shared-limits.js';
import { openStore } from '../../src/store/open-store.js';
import type { OpenedStore } from '../../src/store/store.js';
import { RATE_PLANS } from '../../src/wire/limits.js';
import { createTestDatabase, STORES, type TestDatabase } from '../helpers/stores.js';
import { clockReading } from '../helpers/test-clock.js';

const T0 = Date.UTC(2026, 10, 23, 10, 5, 20);

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

for (const kind of STORES) {
  describe(`shared request limits [${kind}]`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'openlines-limits-'));
    let database: TestDatabase;
    let store: OpenedStore;
    let second: OpenedStore;

    before(async () => {
      database = await createTestDatabase(kind, dataDir);
      store = await openStore(database.url);
      second = await openStore(database.url);
    });
    after(async () => {
      await second?.close();
      await store?.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('the rate bucket admits and refuses exactly as the in-memory one over 600 random requests', async () => {
      const next = random(7);
      let nowMs = T0;
      const clock = () => nowMs;
      const limits = RATE_PLANS.standard;
      const memory = new RequestRateLimiter(limits, clockReading(clock), 'diff');
      const shared = new SharedRequestRateLimiter(store.db, limits, clockReading(clock), 'diff');
      const addresses = ['10.0.0.1', '10.0.0.2', '::1'];
      const seen = { admitted: 0, refused: 0 };
      for (let i = 0; i < 600; i++) {
        // Mostly bursts, sometimes pauses, now and then a clock that steps back.
        const r = next();
        nowMs += r < 0.85 ? 0 : r < 0.97 ? Math.floor(next() * 1500) : -Math.floor(next() * 2000);
        const address = addresses[Math.floor(next() * addresses.length)]!;
        const expected = memory.tryAdmit(address);
        assert.equal(await shared.tryAdmit(address), expected, `request ${i} from ${address} at ${nowMs - T0} ms`);
        seen[expected ? 'admitted' : 'refused'] += 1;
        if (i % 50 === 0) assert.equal(await shared.level(address), memory.level(address));
      }
      assert.ok(seen.admitted > 100 && seen.refused > 50, `both outcomes exercised: ${JSON.stringify(seen)}`);
    });

    it('two limiters on one database (two servers) share one burst: 2 × 50 concurrent requests admit 50', async () => {
      const clock = clockReading(() => T0);
      const limits = RATE_PLANS.standard;
      const a = new SharedRequestRateLimiter(store.db, limits, clock, 'two-servers');
      const b = new SharedRequestRateLimiter(second.db, limits, clock, 'two-servers');
      const answers = await Promise.all(
        Array.from({ length: 2 * limits.burst }, (_, i) => (i % 2 === 0 ? a : b).tryAdmit('192.0.2.1')),
      );
      assert.equal(answers.filter(Boolean).length, limits.burst);
      assert.equal(await b.level('192.0.2.1'), limits.burst);
    });

    it('drained buckets are swept out; a sweep changes no answer', async () => {
      let nowMs = T0;
      const limits = RATE_PLANS.standard;
      const limiter = new SharedRequestRateLimiter(
        store.db,
        limits,
        clockReading(() => nowMs),
        'sweep',
      );
      for (let i = 0; i < 5; i++) assert.equal(await limiter.tryAdmit(`198.51.100.${i}`), true);
      const before = await limiter.trackedAddresses();
      nowMs += 61_000; // 25 s drain a full bucket of 50 at 2/s; the first request of a new minute sweeps.
      assert.equal(await limiter.tryAdmit('198.51.100.0'), true);
      assert.ok((await limiter.trackedAddresses()) <= before - 4, 'four drained buckets are gone');
      assert.equal(await limiter.level('198.51.100.0'), 1);
    });

    /**
     * Replays 400 random checks and records against the in-memory accounting; `sharedFor(i)` is the database-kept
     * accounting that serves call i (alternating ones: two servers).
     */
    async function matchesMemory(
      seed: number,
      sharedFor: (options: OperatingTimeOptions) => (i: number) => SharedOperatingTime,
    ) {
      const next = random(seed);
      let nowMs = T0;
      const costs = new Map<string, number>();
      const options = {
        limitSeconds: 420,
        clock: clockReading(() => nowMs),
        costMs: (method: string) => costs.get(method) ?? 0,
      };
      const memory = new OperatingTime(options);
      const sharedOf = sharedFor(options);
      const methods = ['imopenlines.config.add', 'IMOPENLINES.CONFIG.ADD', 'imopenlines.config.get'];
      const credentials = [`webhook:${seed}`, `oauth:app${seed}`];
      let refusals = 0;
      for (let i = 0; i < 400; i++) {
        const shared = sharedOf(i);
        const r = next();
        nowMs += r < 0.8 ? Math.floor(next() * 2_000) : r < 0.98 ? Math.floor(next() * 20_000) : -30_000;
        const method = methods[Math.floor(next() * methods.length)]!;
        const credential = credentials[Math.floor(next() * credentials.length)]!;
        costs.set(method, [0, 50, 100, 101, 1_500, 40_000, 123_456.789][Math.floor(next() * 7)]!);
        const refusedInMemory = (() => {
          try {
            memory.check(credential, method);
            return false;
          } catch (error) {
            return (error as { code?: string }).code ?? String(error);
          }
        })();
        const refusedShared = await shared.check(credential, method).then(
          () => false,
          (error: unknown) => (error as { code?: string }).code ?? String(error),
        );
        assert.equal(refusedShared, refusedInMemory, `check ${i}`);
        if (refusedInMemory) {
          refusals += 1;
          continue;
        }
        assert.deepEqual(
          await shared.record(credential, method, 0, nowMs),
          memory.record(credential, method, 0, nowMs),
          `record ${i}: ${credential} ${method} at ${nowMs - T0} ms`,
        );
      }
      assert.ok(refusals > 5, `the limit was reached (${refusals} refusals)`);
    }

    it('operating time records, sums, refuses and expires exactly as the in-memory accounting', async () => {
      await matchesMemory(11, (options) => {
        const shared = new SharedOperatingTime(store, options);
        return () => shared;
      });
    });

    it('with a read model on each of two servers, operating time is still exact: a record on one is seen by the next call on the other', async () => {
      const models = [new ReadModel(store.changes), new ReadModel(second.changes)];
      await matchesMemory(12, (options) => {
        const servers = [
          new SharedOperatingTime(store, options, models[0]),
          new SharedOperatingTime(second, options, models[1]),
        ];
        return (i) => servers[i % 2]!;
      });
      assert.ok(models[0]!.sizes().operatingKeys > 0, 'the buckets were read from the model');
    });

    it('buildGuards keeps the state in the database on PostgreSQL and in memory on SQLite', () => {
      const settings = { ratePlan: 'standard' as const, operatingLimitSeconds: 0, portalName: 'openlines' };
      const guards = buildGuards(
        settings,
        clockReading(() => T0),
        { store },
      );
      assert.ok(guards instanceof CallGuards);
      const shared = kind === 'postgres';
      assert.equal(guards.rate instanceof SharedRequestRateLimiter, shared);
      assert.equal(guards.operating instanceof SharedOperatingTime, shared);
      assert.equal(guards.rate instanceof RequestRateLimiter, !shared);
    });
  });
}
