import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyLineInput } from '../../src/domain/lines/apply-input.js';
import { LINE_FIELDS } from '../../src/domain/lines/catalogue.js';
import { columnValue, type Line, lineValue } from '../../src/domain/lines/line.js';
import { lineToRow, rowToLine } from '../../src/store/line-rows.js';

/** Fails to compile unless A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const sameType = <A, B>(_proof: Equal<A, B>) => {};

function line(values: Record<string, unknown> = {}): Line {
  const params = { LINE_NAME: 'Support', QUEUE_TYPE: 'strictly', QUEUE_TIME: 45, WORKTIME_DAYOFF: ['SA', 'SU'] };
  const added = applyLineInput(params, 'add', { companyName: 'Acme' });
  return {
    id: 7,
    values: { ...added.values, ...values },
    modifyUserId: 3,
    createdAt: '2026-11-23T09:25:59.123Z',
    modifiedAt: '2026-12-01T10:00:00.000Z',
  };
}

describe('line model', () => {
  it('lineValue: reads a field with the type the catalogue gives it', () => {
    const stored = line();
    const queueTime = lineValue(stored, 'QUEUE_TIME');
    const queueType = lineValue(stored, 'QUEUE_TYPE');
    const from = lineValue(stored, 'WORKTIME_FROM');
    const dayOff = lineValue(stored, 'WORKTIME_DAYOFF');
    sameType<typeof queueTime, number>(true);
    sameType<typeof queueType, 'evenly' | 'strictly' | 'all'>(true);
    sameType<ReturnType<typeof lineValue<'TYPE_MAX_CHAT'>>, 'answered' | 'answered_new' | 'closed'>(true);
    sameType<ReturnType<typeof lineValue<'MAX_CHAT'>>, number>(true);
    sameType<ReturnType<typeof lineValue<'ACTIVE'>>, 'Y' | 'N'>(true);
    sameType<ReturnType<typeof lineValue<'LINE_NAME'>>, string>(true);
    // Fields whose default is null stay nullable.
    sameType<ReturnType<typeof lineValue<'WELCOME_FORM_ID'>>, number | null>(true);
    sameType<ReturnType<typeof lineValue<'AUTO_CLOSE_TEXT'>>, string | null>(true);
    sameType<typeof from, string>(true);
    sameType<typeof dayOff, string[]>(true);
    assert.equal(queueTime, 45);
    assert.equal(queueType, 'strictly');
    assert.deepEqual(dayOff, ['SA', 'SU']);
    // Checked by the compiler only, never run.
    const wrongNames = () => {
      // @ts-expect-error: not a catalogue field
      lineValue(stored, 'QUEUE_TIMEOUT');
      // @ts-expect-error: read-only fields are not in the document (ID is line.id)
      lineValue(stored, 'ID');
    };
    assert.equal(typeof wrongNames, 'function');
  });

  it('lineValue: a field newer than the stored document reads as its default', () => {
    const { MAX_CHAT: _dropped, ...older } = line().values;
    assert.equal(lineValue({ values: older }, 'MAX_CHAT'), 0);
    assert.equal(lineValue({ values: older }, 'QUEUE_TIME'), 45);
  });

  it('line rows: every catalogue column is written from the value the presenter reads', () => {
    const stored = line({ ACTIVE: 'N' });
    const row = lineToRow(stored);
    const columns = LINE_FIELDS.filter((f) => f.column !== undefined);
    assert.deepEqual(
      columns.map((f) => f.column).sort(),
      [...Object.keys(row).filter((k) => k !== 'doc'), 'id'].sort(),
    );
    for (const field of columns) {
      if (field.column === 'id') continue;
      assert.equal(row[field.column!], columnValue(stored, field.column!), field.name);
    }
    assert.deepEqual(rowToLine({ ...row, id: stored.id }), stored);
  });
});
