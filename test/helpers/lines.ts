// Small helpers shared by the line-configuration suites (test/integration/config-*.test.ts).

import assert from 'node:assert/strict';
import type { NewUser } from '../../src/store/directory-repository.js';
import { TIME_KEYS } from './seed.js';
import type { CallResult, TestServer } from './server.js';
import { manualClockAt } from './test-clock.js';

/** A settable clock for startTestServer({ clock }): dates the server prints come from it. */
export function testClock(iso: string) {
  const clock = manualClockAt(iso);
  return {
    clock,
    now: () => clock.now(),
    /** Jumps to an ISO-8601 moment (forwards or backwards); await it: the server's timers (the scheduler) run on the way. */
    set(next: string): Promise<void> {
      return clock.set(Date.parse(next));
    },
  };
}

/** The exact error body and status (and no time block). */
export function assertError(answer: CallResult, status: number, error: string, description: string, extra = {}) {
  assert.equal(answer.status, status, answer.text);
  assert.deepEqual(answer.body, { error, error_description: description, ...extra });
}

/** A success: HTTP 200, `result` as given (deep), and the full time block. */
export function assertResult(answer: CallResult, result: unknown) {
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(answer.body.result, result);
  assert.deepEqual(Object.keys(answer.body.time).sort(), [...TIME_KEYS].sort());
}

export async function addLine(t: TestServer, params: Record<string, unknown> = {}, hook?: string): Promise<number> {
  const answer = await t.call('imopenlines.config.add', { PARAMS: params }, hook ? { hook } : {});
  assert.equal(answer.status, 200, answer.text);
  assert.equal(typeof answer.body.result, 'number', answer.text);
  return answer.body.result;
}

export async function getLine(t: TestServer, id: number, extra: Record<string, unknown> = {}) {
  const answer = await t.call('imopenlines.config.get', { CONFIG_ID: id, ...extra });
  assert.equal(answer.status, 200, answer.text);
  return answer.body.result;
}

export function addUser(t: TestServer, user: Partial<NewUser> = {}): Promise<number> {
  return t.server.directory.addUser({ name: 'Operator', ...user });
}

/** Adds users until the directory's highest id is `lastId` (ids are sequential on a fresh store). */
export async function fillUsersUpTo(t: TestServer, lastId: number): Promise<void> {
  let id = 0;
  while (id < lastId) id = await addUser(t, { name: 'Filler' });
  assert.equal(id, lastId);
}

/** The X-Openlines-Warnings header as an array (empty when absent). */
export function warningsOf(answer: CallResult): { field: string; reason: string; used: unknown; sent: unknown }[] {
  const header = answer.headers.get('x-openlines-warnings');
  return header ? JSON.parse(header) : [];
}

export const STRICT = { headers: { 'X-Openlines-Strict': '1' } };
