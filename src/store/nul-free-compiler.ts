// PostgreSQL text and jsonb cannot hold U+0000 (the query fails); SQLite can. So that both stores keep the same
// data, every string bound to a query loses its U+0000 characters on both (docs/decisions.md, issue 7). Text
// fields are cleaned earlier, with a warning (field-kinds.ts); this is the net under everything else (filters,
// CLI input, future tables). It sits in the query compiler, where every bound value and every inlined string
// passes once: a plugin rewriting each query's tree cost ~12 µs per query (issue 10). compiled-query.ts, which
// bypasses the compiler, applies the same `withoutNul` to its values.

import type { DefaultQueryCompiler } from 'kysely';
import { withoutNul } from './compiled-query.js';

// biome-ignore lint/suspicious/noExplicitAny: a mixin's constructor takes whatever its base takes
type CompilerClass = abstract new (...args: any[]) => DefaultQueryCompiler;

/** The compiler of either database with U+0000 stripped from every bound value and inlined string. */
export function nulFree<Base extends CompilerClass>(base: Base) {
  abstract class NulFreeCompiler extends base {
    protected override addParameter(parameter: unknown): void {
      super.addParameter(withoutNul(parameter));
    }

    protected override appendStringLiteral(value: string): void {
      super.appendStringLiteral(withoutNul(value) as string);
    }
  }
  return NulFreeCompiler;
}
