// Rules across fields and rows ↔ line configuration; one transaction per call.

import { countLines, insertLine, replaceQueues } from '../../store/lines-repository.js';
import type { Store } from '../../store/open-store.js';
import { incrementLineCounter } from '../../store/portal-repository.js';
import { argumentError } from '../../wire/errors.js';
import type { Caller } from '../caller.js';
import { type AppliedInput, applyLineInput, type FieldWarning, type InputFailure } from './apply-input.js';
import { resolveQueue } from './queue.js';

export interface LineServiceOptions {
  readonly companyName: string;
  readonly now?: () => number;
}

export interface WriteOutcome<T> {
  readonly result: T;
  readonly warnings: FieldWarning[];
  /** Why a compat-mode write answered false. */
  readonly failure?: InputFailure;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Strict mode: the first substitution or failure is an error, and nothing is written. */
export function throwIfStrict(strict: boolean, warnings: readonly FieldWarning[], failure?: InputFailure): void {
  if (!strict) return;
  if (failure) throw argumentError(failure.field, `Field '${failure.field}': ${failure.reason}`);
  const first = warnings[0];
  if (first) throw argumentError(first.field, `Field '${first.field}': ${first.reason}`);
}

/** PARAMS as the reference reads it: used only when it is a non-empty array (object), else []. */
export function readParams(
  raw: unknown,
  name = 'PARAMS',
): { params: Record<string, unknown>; warnings: FieldWarning[] } {
  if (raw === undefined || raw === null || raw === '' || (Array.isArray(raw) && raw.length === 0)) {
    return { params: {}, warnings: [] };
  }
  if (isObject(raw)) return { params: raw, warnings: [] };
  return { params: {}, warnings: [{ field: name, sent: raw, used: [], reason: 'expected an object; ignored' }] };
}

export class LineService {
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly options: LineServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  private input(params: Record<string, unknown>, mode: 'add' | 'update'): AppliedInput {
    return applyLineInput(params, mode, { companyName: this.options.companyName });
  }

  async add(caller: Caller, rawParams: unknown, strict: boolean): Promise<WriteOutcome<number | false>> {
    const { params, warnings: paramWarnings } = readParams(rawParams);
    const applied = this.input(params, 'add');
    const warnings = [...paramWarnings, ...applied.warnings];
    if (applied.failure) {
      throwIfStrict(strict, warnings, applied.failure);
      return { result: false, warnings, failure: applied.failure };
    }
    return this.store.db.transaction().execute(async (trx) => {
      // First: on PostgreSQL the counter row stays locked until commit, so concurrent adds on every server take
      // turns and each automatic name is unique.
      const counter = await incrementLineCounter(trx);
      const queue = await resolveQueue(trx, params.QUEUE, params.QUEUE_USERS_FIELDS, caller.userId, {
        allowPlainIds: true,
      });
      warnings.push(...queue.warnings);
      throwIfStrict(strict, warnings);
      const values = { ...applied.values };
      if (values.LINE_NAME === undefined) values.LINE_NAME = await this.autoLineName(trx, counter);
      const stamp = new Date(this.now()).toISOString();
      const id = await insertLine(trx, {
        doc: JSON.stringify(values),
        line_name: String(values.LINE_NAME),
        active: String(values.ACTIVE),
        modify_user_id: caller.userId,
        created_at: stamp,
        modified_at: stamp,
      });
      await replaceQueues(trx, id, queue.configQueue, queue.operators);
      return { result: id, warnings };
    });
  }

  /** "Open Channel <portal name>" for the first line, else "Open Channel <counter + 1>" (reference §2.1). */
  private async autoLineName(trx: Store['db'], counterAfterIncrement: number): Promise<string> {
    if ((await countLines(trx)) === 0) return `Open Channel ${this.options.companyName}`;
    return `Open Channel ${counterAfterIncrement}`;
  }
}
