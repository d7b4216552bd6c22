import type { Command } from 'commander';
import { parseScopes } from '../../domain/directory/directory-service.js';
import { baseUrl, CliError, positiveInt, withDirectory } from '../output.js';

export function registerWebhookCommands(program: Command): void {
  const webhook = program.command('webhook').description('incoming webhooks');
  webhook
    .command('create')
    .description('create an incoming webhook; prints its URL as the last line (the code is shown only once)')
    .requiredOption('--user <id>', 'the user whose rights the webhook has', positiveInt('--user'))
    .requiredOption('--scope <scopes>', 'comma-separated scopes, e.g. imopenlines,imconnector')
    .option('--strict', 'calls through this webhook use strict validation')
    .option('--expires <date>', 'expiry date (ISO-8601, e.g. 2027-01-31 or 2027-01-31T12:00:00Z)')
    .option('--title <title>', 'a note for `webhook list`')
    .action(async (o, command: Command) => {
      let expiresAt: Date | null = null;
      if (o.expires !== undefined) {
        expiresAt = new Date(o.expires);
        if (Number.isNaN(expiresAt.getTime())) throw new CliError(`--expires: '${o.expires}' is not a date`);
      }
      const scopes = (() => {
        try {
          return parseScopes(o.scope);
        } catch (error) {
          throw new CliError(`--scope: ${(error as Error).message}`);
        }
      })();
      const url = await withDirectory(command, async (d, _store, settings) => {
        const { id, code } = await d.createWebhook({
          userId: o.user,
          scopes,
          strict: o.strict === true,
          expiresAt,
          title: o.title ?? '',
        });
        process.stdout.write(`Webhook ${id} for user ${o.user}, scopes ${scopes.join(',')}\n`);
        return `${baseUrl(settings, 'http')}/rest/${o.user}/${code}/`;
      });
      process.stdout.write(`${url}\n`);
    });
  webhook
    .command('list')
    .description('list webhooks (codes are stored hashed and cannot be shown)')
    .action(async (_o, command: Command) => {
      await withDirectory(command, async (d) => {
        process.stdout.write('ID\tUSER\tSCOPES\tSTATE\tEXPIRES\tCREATED\tTITLE\n');
        for (const h of await d.listWebhooks()) {
          const expired = h.expires_at !== null && h.expires_at <= new Date().toISOString();
          const state = !h.active ? 'revoked' : expired ? 'expired' : 'active';
          process.stdout.write(
            `${h.id}\t${h.user_id}\t${h.scopes}\t${state}${h.strict ? ',strict' : ''}\t${h.expires_at ?? '-'}\t${h.created_at}\t${h.title}\n`,
          );
        }
      });
    });
  webhook
    .command('revoke')
    .description('revoke a webhook: calls with its code get 401 NO_AUTH_FOUND')
    .argument('<id>', 'webhook id', positiveInt('id'))
    .action(async (id: number, _o, command: Command) => {
      await withDirectory(command, (d) => d.revokeWebhook(id));
      process.stdout.write(`Webhook ${id} revoked\n`);
    });
}
