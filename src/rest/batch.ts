// `batch` (openlines-api.md §1.6, reference-behaviour.md §6.9, DECISIONS.md "Batch"): up to 50 `method?query`
// commands in one HTTP request, each run through the same RestCore.call as a direct call, with the outer caller
// (authenticated once; scope and operating time re-checked per command; each handler its own transaction).
// The outer answer is always 200 once the caller is known; per-command failures go to result_error. Keys clients
// add for themselves (client-keys.ts) are dropped from the batch and, by RestCore.call, from every command.
// The request-rate bucket is charged once for the whole batch (endpoint.ts); `batch` itself is not counted in
// operating time, its commands are.

import type { Caller } from '../domain/caller.js';
import type { FieldWarning } from '../domain/input/input-report.js';
import { type TimeBlock, timeBlock } from '../wire/envelope.js';
import { argumentError, RestError } from '../wire/errors.js';
import { BATCH_MAX_COMMANDS } from '../wire/limits.js';
import { toPhpList } from '../wire/php-json.js';
import { type ParamTree, type ParamValue, parsePhpQuery } from '../wire/php-params.js';
import { upperKeys } from '../wire/php-values.js';
import { type BatchState, emptyBatchState, phpBool, splitCommand, substituteReferences } from './batch-references.js';
import { withoutClientKeys } from './client-keys.js';
import type { CallAnswer, CallRequest, EnvelopeSettings, RestCore } from './rest-core.js';

/** The time block of a command inside batch: without `operating` / `operating_reset_at` (openlines-api.md §1.6). */
export type CommandTime = Omit<TimeBlock, 'operating' | 'operating_reset_at'>;

interface BatchInput {
  readonly commands: [string, ParamValue][];
  readonly halt: boolean;
  readonly warnings: FieldWarning[];
  /** Why `cmd` could not be read (compat: an empty batch; strict: ERROR_ARGUMENT). */
  readonly problem?: string;
}

/** `cmd` and `halt` after array_change_key_case(CASE_UPPER): `cmd`, `Cmd`, `CMD` are one key, the last one wins. */
export function readBatchInput(params: ParamTree): BatchInput {
  const { CMD: cmd, HALT: halt } = upperKeys(params) as Partial<ParamTree>;
  const warnings: FieldWarning[] = [];
  let commands: [string, ParamValue][] = [];
  let problem: string | undefined;
  if (Array.isArray(cmd)) commands = cmd.map((call, index) => [String(index), call]);
  else if (cmd !== null && typeof cmd === 'object') commands = Object.entries(cmd);
  else {
    // PHP: isset() is false for a missing or null cmd; foreach over a scalar runs nothing. Both give an empty batch.
    problem =
      cmd === undefined || cmd === null
        ? 'cmd is required: an array or object of "method?query" strings'
        : 'expected an array or object of "method?query" strings';
    warnings.push({ field: 'cmd', sent: cmd ?? null, used: [], reason: `${problem}; nothing was run` });
  }
  return { commands, halt: phpBool(halt), warnings, ...(problem ? { problem } : {}) };
}

function commandTime(time: TimeBlock): CommandTime {
  const { operating: _operating, operating_reset_at: _resetAt, ...rest } = time;
  return rest;
}

function prefixed(key: string, warnings: readonly FieldWarning[]): FieldWarning[] {
  return warnings.map((w) => ({ ...w, field: `cmd[${key}].${w.field}` }));
}

export class Batch {
  constructor(
    private readonly core: RestCore,
    private readonly settings: EnvelopeSettings,
  ) {}

  private now(): number {
    return this.core.clock.now();
  }

  async run(request: CallRequest): Promise<CallAnswer> {
    const batchClockStart = this.now();
    let caller: Caller;
    try {
      caller = request.caller ?? (await this.core.authenticate(request.credentials, request.params));
    } catch (error) {
      return this.core.failure(error, 'batch');
    }
    const input = readBatchInput(withoutClientKeys(request.params));
    const strict = request.strictRequested || caller.strict || this.settings.strict;
    if (input.problem && strict) return { ok: false, error: argumentError('cmd', input.problem), warnings: [] };

    const warnings: FieldWarning[] = [...input.warnings];
    const state = emptyBatchState();
    const operatingChecked = new Set<string>();
    const handlerStartMs = this.now();
    let position = 0;
    for (const [key, call] of input.commands) {
      let failed: boolean;
      if (position++ >= BATCH_MAX_COMMANDS) {
        state.error.set(key, new RestError('ERROR_BATCH_LENGTH_EXCEEDED').toBody());
        failed = true;
      } else if (typeof call !== 'string') {
        // The reference skips a command that is not a string (it still counts towards the 50).
        warnings.push({ field: `cmd[${key}]`, sent: call, used: null, reason: 'not a "method?query" string; skipped' });
        continue;
      } else {
        failed = !(await this.runCommand(key, call, caller, request, state, warnings, operatingChecked));
      }
      if (failed && input.halt) break;
    }
    const time = timeBlock(
      {
        startMs: request.startMs,
        handlerStartMs,
        finishMs: this.now(),
        // batch is not counted (LoadLimiter ignores it): nothing accumulated, reset ten minutes after its start.
        operatingSeconds: 0,
        operatingResetAt: Math.floor(batchClockStart / 1000) + 600,
      },
      this.settings.timeZone,
    );
    const result = {
      result: toPhpList(state.result),
      result_error: toPhpList(state.error),
      result_total: toPhpList(state.total),
      result_next: toPhpList(state.next),
      result_time: toPhpList(state.time),
    };
    return { ok: true, body: { result, time }, warnings, caller };
  }

  /** Runs one command through the core; records its outcome in `state`. Returns false when it failed. */
  private async runCommand(
    key: string,
    call: string,
    caller: Caller,
    request: CallRequest,
    state: BatchState,
    warnings: FieldWarning[],
    operatingChecked: Set<string>,
  ): Promise<boolean> {
    const startMs = this.now();
    const { method, query } = splitCommand(call);
    // Nested batch is refused (rest 24.0.0, openlines-api.md §1.6); it never reaches the core.
    if (method.toLowerCase() === 'batch') {
      state.error.set(key, new RestError('ERROR_BATCH_METHOD_NOT_ALLOWED').toBody());
      return false;
    }
    let answer: CallAnswer;
    try {
      const params = substituteReferences(parsePhpQuery(query), state);
      // The batch's auth_connector is part of its auth data, which every command shares (event.* key by it).
      if (params.auth_connector === undefined && request.params.auth_connector !== undefined) {
        params.auth_connector = request.params.auth_connector;
      }
      answer = await this.core.call({
        method,
        params,
        credentials: request.credentials,
        strictRequested: request.strictRequested,
        startMs,
        caller,
        inBatch: true,
        operatingChecked,
        ...(request.origin !== undefined ? { origin: request.origin } : {}),
        ...(request.requestId !== undefined ? { requestId: request.requestId } : {}),
      });
    } catch (error) {
      // An unreadable command query (ParamsError) is that command's INVALID_REQUEST.
      answer = this.core.failure(error, method);
    }
    warnings.push(...prefixed(key, answer.warnings));
    if (answer.ok) {
      state.result.set(key, answer.body.result ?? null);
      if (answer.body.next !== undefined) state.next.set(key, answer.body.next);
      if (answer.body.total !== undefined) state.total.set(key, answer.body.total);
      state.time.set(key, commandTime(answer.body.time));
      return true;
    }
    // Only a command that succeeded gets a time entry (DECISIONS.md "Batch", as the reference splits its answers).
    state.error.set(key, answer.error.toBody());
    return false;
  }
}
