// availabilityOf: runtime-sessions.md §8's `available(user, line, ignorePause)` with time tracking off, as a
// table; isOnline (the explicit status wins, else the last REST call under 1 440 s); presenceTransition (what a
// presence change tells the session engine).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AvailabilityOptions,
  availabilityOf,
  isOnline,
  ONLINE_WINDOW_SECONDS,
  type OperatorState,
} from '../../src/domain/operators/availability.js';
import { presenceTransition } from '../../src/domain/operators/presence-service.js';

const ready: OperatorState = {
  active: true,
  absent: false,
  paused: false,
  online: true,
  explicitStatus: null,
  lastActivityMs: 0,
};

describe('availabilityOf', () => {
  const CHECK: AvailabilityOptions = { checkAvailable: true };
  const NO_CHECK: AvailabilityOptions = { checkAvailable: false };
  const rows: [string, Partial<OperatorState>, AvailabilityOptions, ReturnType<typeof availabilityOf>][] = [
    ['available', {}, CHECK, { available: true }],
    ['dismissed, CHECK_AVAILABLE=Y', { active: false }, CHECK, { available: false, reason: 'DISMISSAL' }],
    [
      'dismissed, CHECK_AVAILABLE=N (always checked)',
      { active: false },
      NO_CHECK,
      { available: false, reason: 'DISMISSAL' },
    ],
    [
      'dismissed and absent: dismissal first',
      { active: false, absent: true },
      CHECK,
      { available: false, reason: 'DISMISSAL' },
    ],
    ['absent', { absent: true }, CHECK, { available: false, reason: 'VACATION' }],
    [
      'absent, paused, offline: vacation first',
      { absent: true, paused: true, online: false },
      CHECK,
      { available: false, reason: 'VACATION' },
    ],
    ['paused', { paused: true }, CHECK, { available: false, reason: 'NONWORKING' }],
    [
      'paused and offline: the pause first',
      { paused: true, online: false },
      CHECK,
      { available: false, reason: 'NONWORKING' },
    ],
    [
      'paused, ignorePause: the soft pause still counts',
      { paused: true },
      { checkAvailable: true, ignorePause: true },
      { available: false, reason: 'NONWORKING' },
    ],
    ['offline', { online: false }, CHECK, { available: false, reason: 'OFFLINE' }],
    [
      'offline, ignorePause',
      { online: false },
      { checkAvailable: true, ignorePause: true },
      { available: false, reason: 'OFFLINE' },
    ],
    [
      'absent, paused, offline, CHECK_AVAILABLE=N',
      { absent: true, paused: true, online: false },
      NO_CHECK,
      { available: true },
    ],
  ];
  for (const [title, change, options, expected] of rows) {
    it(`availabilityOf: ${title}`, () => {
      assert.deepEqual(availabilityOf({ ...ready, ...change }, options), expected);
    });
  }
});

describe('isOnline', () => {
  const window = ONLINE_WINDOW_SECONDS * 1000;
  it('isOnline: an explicit status wins over activity', () => {
    assert.equal(isOnline('online', null, 10_000_000), true);
    assert.equal(isOnline('offline', 10_000_000, 10_000_000), false);
  });
  it('isOnline: without one, online while the last call is under 1 440 s old', () => {
    assert.equal(ONLINE_WINDOW_SECONDS, 1_440);
    assert.equal(isOnline(null, null, 10_000_000), false);
    assert.equal(isOnline(null, 10_000_000, 10_000_000), true);
    assert.equal(isOnline(null, 10_000_000, 10_000_000 + window - 1), true);
    assert.equal(isOnline(null, 10_000_000, 10_000_000 + window), false);
  });
});

describe('presenceTransition', () => {
  const state = (change: Partial<OperatorState>): OperatorState => ({ ...ready, ...change });
  it('presenceTransition: an added obstacle is a loss with its reason, whatever the user was before', () => {
    assert.deepEqual(presenceTransition(state({}), state({ absent: true })), { kind: 'lost', reason: 'VACATION' });
    assert.deepEqual(presenceTransition(state({}), state({ paused: true })), { kind: 'lost', reason: 'NONWORKING' });
    assert.deepEqual(presenceTransition(state({}), state({ online: false })), { kind: 'lost', reason: 'OFFLINE' });
    assert.deepEqual(presenceTransition(state({ online: false }), state({ online: false, paused: true })), {
      kind: 'lost',
      reason: 'NONWORKING',
    });
    // Absence and pause at once: §8's order.
    assert.deepEqual(presenceTransition(state({}), state({ absent: true, paused: true })), {
      kind: 'lost',
      reason: 'VACATION',
    });
  });
  it('presenceTransition: a removed obstacle is a gain only when the user is available after it', () => {
    assert.deepEqual(presenceTransition(state({ paused: true }), state({})), { kind: 'gained' });
    assert.deepEqual(presenceTransition(state({ absent: true }), state({})), { kind: 'gained' });
    assert.deepEqual(presenceTransition(state({ online: false }), state({})), { kind: 'gained' });
    assert.equal(presenceTransition(state({ paused: true, online: false }), state({ online: false })), null);
    assert.equal(presenceTransition(state({ paused: true, active: false }), state({ active: false })), null);
  });
  it('presenceTransition: a change that adds one obstacle and removes another is a loss', () => {
    assert.deepEqual(presenceTransition(state({ absent: true }), state({ online: false })), {
      kind: 'lost',
      reason: 'OFFLINE',
    });
  });
  it('presenceTransition: no change, nothing', () => {
    assert.equal(presenceTransition(state({}), state({ explicitStatus: 'online' })), null);
    assert.equal(presenceTransition(state({ paused: true }), state({ paused: true })), null);
  });
});
