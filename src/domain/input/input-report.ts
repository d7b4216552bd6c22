// What one call's input needed: the substitutions compat mode made (sent to the client in X-Openlines-Warnings) and
// the refusals that make a write answer false. Strict mode turns the first of either into 400 ERROR_ARGUMENT
// naming the field, before anything is written (DECISIONS.md "Two validation modes"). The REST core makes one
// report per call, batch commands included, and hands it to the method as `ctx.input`.

import { argumentError } from '../../wire/errors.js';

export interface FieldWarning {
  readonly field: string;
  readonly sent: unknown;
  readonly used: unknown;
  readonly reason: string;
}

/** Why the reference would refuse a write as a whole (compat: result false; strict: 400). */
export interface InputFailure {
  readonly field: string;
  readonly reason: string;
}

/** What a reader found in one pass: its substitutions in order, and the refusal that stopped it, if any. */
export interface Findings {
  readonly warnings: readonly FieldWarning[];
  readonly failure?: InputFailure | undefined;
}

const refusal = (field: string, reason: string) => argumentError(field, `Field '${field}': ${reason}`);

export class InputReport {
  private readonly found: FieldWarning[] = [];

  constructor(readonly strict: boolean) {}

  /** The substitutions reported so far, in order (a refusal last, with sent and used null). */
  get warnings(): readonly FieldWarning[] {
    return this.found;
  }

  /** A value replaced or ignored: kept for the warnings header; strict: 400 ERROR_ARGUMENT. */
  warn(warning: FieldWarning): void {
    if (this.strict) throw refusal(warning.field, warning.reason);
    this.found.push(warning);
  }

  /** The write refused as a whole: compat reports why and the method answers false; strict: 400 ERROR_ARGUMENT. */
  refuse(failure: InputFailure): false {
    if (this.strict) throw refusal(failure.field, failure.reason);
    this.found.push({ field: failure.field, sent: null, used: null, reason: failure.reason });
    return false;
  }

  /**
   * A reader's findings at once. Strict names the refusal before any substitution, as the write would fail on it
   * whatever else was replaced. Returns false when the input is refused (compat: answer false, write nothing).
   */
  take(findings: Findings): boolean {
    if (findings.failure && this.strict) this.refuse(findings.failure);
    for (const warning of findings.warnings) this.warn(warning);
    return findings.failure ? this.refuse(findings.failure) : true;
  }
}
