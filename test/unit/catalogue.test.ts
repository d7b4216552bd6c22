import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyLineInput } from '../../src/domain/lines/apply-input.js';
import { FIELD_BY_NAME, FIELD_GROUPS, LINE_FIELDS, WRITABLE_FIELDS } from '../../src/domain/lines/catalogue.js';
import { defaultValue, kindOf } from '../../src/domain/lines/field-kinds.js';
import { GET_KEY_ORDER, SEED_PAGE_FIELDS } from '../fixtures/spec-facts.js';

describe('field catalogue', () => {
  it('has unique names', () => {
    const names = LINE_FIELDS.map((f) => f.name);
    assert.equal(new Set(names).size, names.length);
  });

  it('gives every field a label, group, help and source', () => {
    const groups = new Set(FIELD_GROUPS.map((g) => g.id));
    for (const f of LINE_FIELDS) {
      assert.ok(f.label.trim(), `${f.name} label`);
      assert.ok(f.help.trim(), `${f.name} help`);
      assert.ok(f.source.trim(), `${f.name} source`);
      assert.ok(groups.has(f.group), `${f.name} group ${f.group}`);
    }
  });

  it('has defaults that pass their own normalisation unchanged', () => {
    for (const f of WRITABLE_FIELDS) {
      const value = defaultValue(f);
      if (value === null || value === undefined) continue; // none, or computed by the line service
      if (Array.isArray(value) && value.length === 0) continue;
      const result = kindOf(f).normalise(value, f as never);
      assert.ok(result.ok, `${f.name} default must normalise`);
      if (result.ok) {
        assert.equal(result.warning, undefined, `${f.name} default gives no warning`);
        assert.deepEqual(result.value, value, `${f.name} default is stable`);
      }
    }
  });

  it('keeps enum defaults and replacements among the allowed values', () => {
    for (const f of LINE_FIELDS) {
      if (f.kind !== 'enum') continue;
      assert.ok(f.values.includes(f.default), `${f.name} default`);
      assert.ok(f.values.includes(f.invalidBecomes), `${f.name} invalidBecomes`);
      for (const v of Object.keys(f.valueLabels ?? {})) assert.ok(f.values.includes(v), `${f.name} label for ${v}`);
    }
  });

  it('points same-request rules at real fields', () => {
    for (const f of LINE_FIELDS) {
      if (f.sameRequest) assert.ok(FIELD_BY_NAME.has(f.sameRequest.field), `${f.name} → ${f.sameRequest.field}`);
      if (f.kind === 'hour') assert.equal(FIELD_BY_NAME.get(f.pairedWith)?.kind, 'hour');
    }
  });

  it('describes every PARAMS field of the seed page', () => {
    const names = SEED_PAGE_FIELDS.filter((n) => n !== 'QUEUE');
    assert.equal(names.length, 82);
    for (const name of names) assert.ok(FIELD_BY_NAME.get(name) && !FIELD_BY_NAME.get(name)?.readOnly, name);
  });

  it('prints fields in the order of the reference get example', () => {
    const order = GET_KEY_ORDER.filter(
      (n) => !['QUEUE', 'QUEUE_FULL', 'QUEUE_USERS_FIELDS', 'QUEUE_ONLINE'].includes(n),
    );
    assert.deepEqual(
      LINE_FIELDS.map((f) => f.name),
      order,
    );
  });

  it('fills every writable field on add with empty PARAMS (reference-behaviour.md §2.2)', () => {
    const { values, warnings } = applyLineInput({}, 'add', { companyName: 'Acme' });
    assert.deepEqual(warnings, []);
    const expected: Record<string, unknown> = {
      ACTIVE: 'Y',
      CRM: 'Y',
      CRM_CREATE: 'lead',
      CRM_CREATE_SECOND: '',
      CRM_CREATE_THIRD: 'Y',
      CRM_FORWARD: 'Y',
      CRM_CHAT_TRACKER: 'Y',
      CRM_TRANSFER_CHANGE: 'Y',
      CRM_SOURCE: 'create',
      QUEUE_TIME: 60,
      NO_ANSWER_TIME: 60,
      QUEUE_TYPE: 'all',
      CHECK_AVAILABLE: 'N',
      WATCH_TYPING: 'Y',
      WELCOME_BOT_ENABLE: 'N',
      WELCOME_MESSAGE: 'Y',
      WELCOME_MESSAGE_TEXT: 'Welcome to [b]Acme[/b] Open Channel![br]You will receive a reply shortly, please hold on.',
      VOTE_MESSAGE: 'Y',
      VOTE_TIME_LIMIT: 0,
      VOTE_BEFORE_FINISH: 'Y',
      VOTE_CLOSING_DELAY: 'N',
      AGREEMENT_MESSAGE: 'N',
      AGREEMENT_ID: 0,
      CATEGORY_ENABLE: 'N',
      CATEGORY_ID: 0,
      WELCOME_BOT_JOIN: 'always',
      WELCOME_BOT_ID: 0,
      WELCOME_BOT_TIME: 600,
      WELCOME_BOT_LEFT: 'queue',
      NO_ANSWER_RULE: 'none',
      NO_ANSWER_FORM_ID: 0,
      NO_ANSWER_BOT_ID: 0,
      WORKTIME_ENABLE: 'N',
      WORKTIME_FROM: '9',
      WORKTIME_TO: '18.30',
      WORKTIME_TIMEZONE: '',
      WORKTIME_HOLIDAYS: [],
      WORKTIME_DAYOFF: [],
      WORKTIME_DAYOFF_RULE: 'none',
      CLOSE_RULE: 'text',
      CLOSE_TEXT: 'Thank you for doing business with us.',
      FULL_CLOSE_TIME: 10,
      AUTO_CLOSE_RULE: 'none',
      AUTO_CLOSE_TIME: 14400,
      AUTO_CLOSE_TEXT: null,
      AUTO_EXPIRE_TIME: 86400,
      TEMPORARY: 'N',
      LANGUAGE_ID: null,
      QUICK_ANSWERS_IBLOCK_ID: null,
      SESSION_PRIORITY: 0,
      TYPE_MAX_CHAT: 'answered',
      MAX_CHAT: 0,
      OPERATOR_DATA: 'profile',
      DEFAULT_OPERATOR_DATA: null,
      KPI_FIRST_ANSWER_TIME: 0,
      KPI_FIRST_ANSWER_LIST: null,
      KPI_FURTHER_ANSWER_LIST: null,
      USE_WELCOME_FORM: 'N',
      WELCOME_FORM_ID: null,
      WELCOME_FORM_DELAY: 'Y',
      CONFIRM_CLOSE: 'N',
      IGNORE_WELCOME_FORM_RESPONSIBLE: 'N',
    };
    for (const [name, value] of Object.entries(expected)) assert.deepEqual(values[name], value, name);
    assert.equal(values.LINE_NAME, undefined, 'the line service computes the automatic name');
    assert.equal(Object.keys(values).length, WRITABLE_FIELDS.length);
  });
});
