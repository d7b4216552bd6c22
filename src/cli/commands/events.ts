// `openlines events [--failed] [--limit N] [--json]`: recent event deliveries, newest first; `openlines events
// retry ID`: a failed or pending delivery is made due now with its attempts reset (a running server sends it
// within its poll interval, EVENT_POLL_MS).

import type { Command } from 'commander';
import {
  DELIVERIES_LIMIT_MAX,
  Deliveries,
  DeliveryRetryError,
  type DeliveryView,
} from '../../domain/events/deliveries.js';
import { CliError, positiveInt, withDirectory } from '../output.js';

/** The last column: when the next attempt is due (and why the last one failed), or what became of it. */
function outcome(d: DeliveryView): string {
  if (d.state === 'delivered') return `delivered ${d.deliveredAt}`;
  if (d.state === 'failed') return d.lastError ?? '';
  return `next ${d.nextAttemptAt}${d.lastError ? ` (last: ${d.lastError})` : ''}`;
}

export function registerEventsCommand(program: Command): void {
  const events = program
    .command('events')
    .description('recent event deliveries to applications, newest first')
    .option('--failed', 'only deliveries that failed after their last attempt')
    .option('--limit <n>', `deliveries to show (at most ${DELIVERIES_LIMIT_MAX})`, positiveInt('--limit'), 20)
    .option('--json', 'print the deliveries as JSON')
    .action(async (o: { failed?: boolean; limit: number; json?: boolean }, command: Command) => {
      if (o.limit > DELIVERIES_LIMIT_MAX) throw new CliError(`--limit must be at most ${DELIVERIES_LIMIT_MAX}`);
      await withDirectory(command, async (_d, store) => {
        const { deliveries, total } = await new Deliveries(store).list({
          failedOnly: o.failed === true,
          limit: o.limit,
        });
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ deliveries, total }, null, 2)}\n`);
          return;
        }
        if (deliveries.length === 0) {
          process.stdout.write(o.failed ? 'No failed deliveries.\n' : 'No deliveries yet.\n');
          return;
        }
        process.stdout.write('ID\tEVENT\tAPP\tHANDLER\tATTEMPT\tSTATE\tNEXT ATTEMPT / LAST ERROR\n');
        for (const d of deliveries) {
          process.stdout.write(
            `${d.id}\t${d.event}\t${d.app || '(removed)'}\t${d.handler}\t${d.attempt}\t${d.state}\t${outcome(d)}\n`,
          );
        }
        if (total > deliveries.length)
          process.stdout.write(`(${total - deliveries.length} older; --limit shows more)\n`);
      });
    });
  events
    .command('retry')
    .description('make a failed or pending delivery due now, its attempts reset')
    .argument('<id>', 'delivery id (the ID column, the X-Openlines-Delivery header)', positiveInt('id'))
    .action(async (id: number, _o, command: Command) => {
      const retried = await withDirectory(command, async (_d, store) => {
        try {
          return await new Deliveries(store).retry(id);
        } catch (error) {
          if (error instanceof DeliveryRetryError) throw new CliError(error.message);
          throw error;
        }
      });
      process.stdout.write(`Delivery ${retried.id} (${retried.event} to ${retried.handler}) is due now.\n`);
    });
}
