import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyLineInput } from '../../src/domain/lines/apply-input.js';
import { FIELD_BY_NAME, LINE_FIELDS } from '../../src/domain/lines/catalogue.js';
import type { Line, QueueMember } from '../../src/domain/lines/line.js';
import {
  ALL_FIELDS,
  presentFields,
  presentGetQueue,
  presentLine,
  presentListItem,
} from '../../src/domain/lines/present-line.js';
import { GET_KEY_ORDER } from '../fixtures/spec-facts.js';

const OPTIONS = { timeZone: 'Europe/Berlin', companyName: 'Acme' };

function line(values: Record<string, unknown> = {}): Line {
  const base = applyLineInput({}, 'add', { companyName: 'Acme' }).values;
  return {
    id: 27,
    values: { ...base, LINE_NAME: 'Support', ...values },
    modifyUserId: 3,
    createdAt: '2026-11-23T09:25:59.123Z',
    modifiedAt: '2026-06-01T22:00:00.000Z',
  };
}

function member(userId: number, over: Partial<QueueMember> = {}, user: Partial<QueueMember['user']> = {}): QueueMember {
  return {
    rowId: userId * 10,
    sort: 0,
    userId,
    departmentId: 0,
    userName: null,
    workPosition: null,
    avatar: null,
    avatarId: 0,
    user: {
      name: `Name${userId}`,
      lastName: `Last${userId}`,
      workPosition: 'Operator',
      avatar: `https://example.test/${userId}.png`,
      active: true,
      online: false,
      ...user,
    },
    ...over,
  };
}

describe('presentLine', () => {
  it('prints every catalogue field in the reference get order, then the four queue keys', () => {
    const out = presentLine(line(), [], { withQueue: true, showOffline: true }, OPTIONS);
    assert.deepEqual(Object.keys(out), GET_KEY_ORDER);
  });

  it('prints every scalar as a string and keeps nulls where the reference has them', () => {
    const out = presentLine(line(), [], { withQueue: true, showOffline: true }, OPTIONS);
    assert.equal(out.ID, '27');
    assert.equal(out.QUEUE_TIME, '60');
    assert.equal(out.WELCOME_BOT_TIME, '600');
    assert.equal(out.NO_ANSWER_FORM_ID, '0');
    assert.equal(out.MODIFY_USER_ID, '3');
    assert.equal(out.ACTIVE, 'Y');
    assert.equal(out.QUEUE_TYPE, 'all');
    assert.equal(out.WORKTIME_FROM, '9');
    assert.equal(out.WORKTIME_TO, '18.30');
    assert.equal(out.XML_ID, null);
    assert.equal(out.LANGUAGE_ID, null);
    assert.equal(out.QUICK_ANSWERS_IBLOCK_ID, null);
    assert.equal(out.WELCOME_FORM_ID, null);
    assert.equal(out.AUTO_CLOSE_TEXT, null);
    for (const field of LINE_FIELDS) {
      const value = out[field.name];
      assert.ok(
        value === null || typeof value === 'string' || Array.isArray(value),
        `${field.name} is a string, an array or null, got ${JSON.stringify(value)}`,
      );
    }
  });

  it('prints empty day and holiday lists as [""], an empty DEFAULT_OPERATOR_DATA as [] and empty KPI lists as null', () => {
    const out = presentLine(line(), [], { withQueue: true, showOffline: true }, OPTIONS);
    assert.deepEqual(out.WORKTIME_DAYOFF, ['']);
    assert.deepEqual(out.WORKTIME_HOLIDAYS, ['']);
    assert.deepEqual(out.DEFAULT_OPERATOR_DATA, []);
    assert.equal(out.KPI_FIRST_ANSWER_LIST, null);
    assert.equal(out.KPI_FURTHER_ANSWER_LIST, null);
  });

  it('prints stored lists as arrays of strings', () => {
    const out = presentFields(
      line({
        WORKTIME_DAYOFF: ['SA', 'SU'],
        WORKTIME_HOLIDAYS: ['1.01', '25.12'],
        KPI_FIRST_ANSWER_LIST: [5, 7],
        DEFAULT_OPERATOR_DATA: { NAME: 'Bot', AVATAR_ID: '4' },
      }),
      ALL_FIELDS,
      OPTIONS,
    );
    assert.deepEqual(out.WORKTIME_DAYOFF, ['SA', 'SU']);
    assert.deepEqual(out.WORKTIME_HOLIDAYS, ['1.01', '25.12']);
    assert.deepEqual(out.KPI_FIRST_ANSWER_LIST, ['5', '7']);
    assert.deepEqual(out.DEFAULT_OPERATOR_DATA, { NAME: 'Bot', AVATAR_ID: '4' });
  });

  it("prints dates as PHP date('c') in the portal's time zone, summer and winter", () => {
    const out = presentFields(line(), ALL_FIELDS, OPTIONS);
    assert.equal(out.DATE_CREATE, '2026-11-23T10:25:59+01:00');
    assert.equal(out.DATE_MODIFY, '2026-06-02T00:00:00+02:00');
    const utc = presentFields(line(), ALL_FIELDS, { ...OPTIONS, timeZone: 'UTC' });
    assert.equal(utc.DATE_CREATE, '2026-11-23T09:25:59+00:00');
  });

  it('fills a field the stored document predates with its default, and the never-stored read-only field', () => {
    const stored = line();
    const values = { ...stored.values };
    delete values.CLOSE_TEXT;
    delete values.MAX_CHAT;
    const out = presentFields({ ...stored, values }, ALL_FIELDS, OPTIONS);
    assert.equal(out.CLOSE_TEXT, 'Thank you for doing business with us.');
    assert.equal(out.MAX_CHAT, '0');
    assert.equal(out.SEND_NOTIFICATION_EMPTY_QUEUE, 'N');
  });
});

describe('presentGetQueue', () => {
  it('prints the four keys empty with WITH_QUEUE=N', () => {
    assert.deepEqual(presentGetQueue([member(1)], { withQueue: false, showOffline: true }), {
      QUEUE: [],
      QUEUE_FULL: [],
      QUEUE_USERS_FIELDS: [],
      QUEUE_ONLINE: 'N',
    });
  });

  it('prints [] for the maps of an empty queue', () => {
    assert.deepEqual(presentGetQueue([], { withQueue: true, showOffline: true }), {
      QUEUE: [],
      QUEUE_FULL: [],
      QUEUE_USERS_FIELDS: [],
      QUEUE_ONLINE: 'N',
    });
  });

  it('lists active operators in queue order with directory data where no override is stored', () => {
    const members = [
      member(15, { sort: 0 }),
      member(1, { sort: 1, userName: 'Desk', workPosition: 'Lead', avatar: 'a.png', avatarId: 9, departmentId: 4 }),
      member(23, { sort: 2 }, { active: false }),
    ];
    const out = presentGetQueue(members, { withQueue: true, showOffline: true });
    assert.deepEqual(out.QUEUE, ['15', '1']);
    assert.deepEqual(out.QUEUE_USERS_FIELDS, {
      1: { USER_NAME: 'Desk', USER_WORK_POSITION: 'Lead', USER_AVATAR: 'a.png', USER_AVATAR_ID: '9' },
      15: {
        USER_NAME: 'Name15 Last15',
        USER_WORK_POSITION: 'Operator',
        USER_AVATAR: 'https://example.test/15.png',
        USER_AVATAR_ID: '0',
      },
    });
    assert.deepEqual((out.QUEUE_FULL as Record<string, unknown>)['1'], {
      ID: '10',
      SORT: '1',
      USER_ID: '1',
      DEPARTMENT_ID: '4',
      USER_NAME: 'Desk',
      USER_WORK_POSITION: 'Lead',
      USER_AVATAR: 'a.png',
      USER_AVATAR_ID: '9',
    });
    assert.equal(out.QUEUE_ONLINE, 'N');
  });

  it('sets QUEUE_ONLINE when a listed operator is online, and SHOW_OFFLINE=N lists only those', () => {
    const members = [member(2), member(3, {}, { online: true })];
    assert.equal(presentGetQueue(members, { withQueue: true, showOffline: true }).QUEUE_ONLINE, 'Y');
    const online = presentGetQueue(members, { withQueue: true, showOffline: false });
    assert.deepEqual(online.QUEUE, ['3']);
    assert.equal(online.QUEUE_ONLINE, 'Y');
    const nobody = presentGetQueue([member(2)], { withQueue: true, showOffline: false });
    assert.deepEqual(nobody, { QUEUE: [], QUEUE_FULL: [], QUEUE_USERS_FIELDS: [], QUEUE_ONLINE: 'N' });
  });

  it('leaves out an operator no longer in the directory', () => {
    const gone: QueueMember = { ...member(8) };
    delete (gone as { user?: unknown }).user;
    assert.deepEqual(presentGetQueue([gone], { withQueue: true, showOffline: true }).QUEUE, []);
  });
});

describe('presentListItem', () => {
  it('prints the projection in its own order and under its aliases', () => {
    const projection = [
      { key: 'NAME', field: FIELD_BY_NAME.get('LINE_NAME')! },
      { key: 'ID', field: FIELD_BY_NAME.get('ID')! },
    ];
    assert.deepEqual(presentListItem(line(), projection, {}, OPTIONS), { NAME: 'Support', ID: '27' });
  });

  it('adds QUEUE and QUEUE_USERS_FIELDS for every operator (active or not) and CONFIG_QUEUE', () => {
    const projection = [{ key: 'ID', field: FIELD_BY_NAME.get('ID')! }];
    const out = presentListItem(
      line(),
      projection,
      {
        queue: [member(5), member(6, {}, { active: false })],
        configQueue: [
          { entityType: 'department', entityId: 10 },
          { entityType: 'user', entityId: 5 },
        ],
      },
      OPTIONS,
    );
    assert.deepEqual(Object.keys(out), ['ID', 'QUEUE', 'QUEUE_USERS_FIELDS', 'CONFIG_QUEUE']);
    assert.deepEqual(out.QUEUE, ['5', '6']);
    assert.deepEqual(Object.keys(out.QUEUE_USERS_FIELDS as object), ['5', '6']);
    assert.deepEqual(out.CONFIG_QUEUE, [
      { ENTITY_ID: '10', ENTITY_TYPE: 'department' },
      { ENTITY_ID: '5', ENTITY_TYPE: 'user' },
    ]);
  });

  it('prints an empty queue as [] for both keys', () => {
    const out = presentListItem(line(), [], { queue: [] }, OPTIONS);
    assert.deepEqual(out, { QUEUE: [], QUEUE_USERS_FIELDS: [] });
  });
});
