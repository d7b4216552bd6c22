import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Line } from '../../src/domain/lines/line.js';
import { kpiAlertText, kpiDeadline } from '../../src/domain/sessions/automatic/kpi.js';

const line = (values: Record<string, unknown>) => ({ values }) as unknown as Pick<Line, 'values'>;

describe('KPI (runtime-sessions.md §6)', () => {
  it('kpiDeadline: the first answer time, else the further one; later items the further one; none without a time', () => {
    const both = line({ KPI_FIRST_ANSWER_TIME: 300, KPI_FURTHER_ANSWER_TIME: 60 });
    assert.equal(kpiDeadline(both, true, 1000), 301_000);
    assert.equal(kpiDeadline(both, false, 1000), 61_000);
    const furtherOnly = line({ KPI_FIRST_ANSWER_TIME: 0, KPI_FURTHER_ANSWER_TIME: 60 });
    assert.equal(kpiDeadline(furtherOnly, true, 0), 60_000);
    const firstOnly = line({ KPI_FIRST_ANSWER_TIME: 30, KPI_FURTHER_ANSWER_TIME: 0 });
    assert.equal(kpiDeadline(firstOnly, false, 0), null);
    assert.equal(kpiDeadline(line({}), true, 0), null, 'defaults: 0, no deadline');
  });

  it('kpiAlertText: #DIALOG# first, then #OPERATOR#, every occurrence', () => {
    assert.equal(
      kpiAlertText('#OPERATOR# missed ##DIALOG# (#DIALOG#)', 7, 'Smith Anna'),
      'Smith Anna missed #[url=/online/?IM_HISTORY=imol|7]7[/url] ([url=/online/?IM_HISTORY=imol|7]7[/url])',
    );
    assert.equal(kpiAlertText('#OPERATOR#|', 1, '#DIALOG#'), '#DIALOG#|', 'a name is not read as a placeholder');
    assert.equal(kpiAlertText('#OPERATOR# late', 1, ''), ' late');
  });
});
