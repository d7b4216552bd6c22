// `openlines history [LINE]`: who changed which line when, field by field (newest first).

import type { Command } from 'commander';
import { formatRevisions, HISTORY_LIMIT_MAX, listHistory } from '../../domain/history/history.js';
import { CliError, positiveInt, withDirectory } from '../output.js';

export function registerHistoryCommand(program: Command): void {
  program
    .command('history')
    .description('the history of every change to the lines (or to one line), newest first')
    .argument('[line]', 'line id', positiveInt('line'))
    .option('--limit <n>', `revisions to show (at most ${HISTORY_LIMIT_MAX})`, positiveInt('--limit'), 20)
    .option('--full', 'show every field of created and deleted lines, defaults included')
    .option('--json', 'print the revisions as JSON')
    .action(
      async (line: number | undefined, o: { limit: number; full?: boolean; json?: boolean }, command: Command) => {
        if (o.limit > HISTORY_LIMIT_MAX) throw new CliError(`--limit must be at most ${HISTORY_LIMIT_MAX}`);
        await withDirectory(command, async (_d, store, settings) => {
          const { revisions, total } = await store.read((db) =>
            listHistory(db, { lineId: line ?? null, limit: o.limit }, settings.timeZone),
          );
          if (o.json) {
            process.stdout.write(`${JSON.stringify({ revisions, total }, null, 2)}\n`);
            return;
          }
          if (revisions.length === 0) {
            process.stdout.write(
              line === undefined ? 'No changes recorded.\n' : `No changes recorded for line ${line}.\n`,
            );
            return;
          }
          process.stdout.write(formatRevisions(revisions, { companyName: settings.portalName, full: o.full === true }));
          if (total > revisions.length)
            process.stdout.write(`(${total - revisions.length} older; --limit shows more)\n`);
        });
      },
    );
}
