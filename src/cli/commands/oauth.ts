// `openlines app …` (OAuth applications) and `openlines token …` (tokens and authorization codes). Secrets are
// printed once, as JSON on stdout, and stored only as hashes.

import type { Command } from 'commander';
import { OAuthAdminError, OAuthService, presentToken } from '../../domain/oauth/oauth-service.js';
import type { Settings } from '../../settings.js';
import type { Store } from '../../store/store.js';
import { baseUrl, CliError, positiveInt, withDirectory } from '../output.js';

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Runs one command with an OAuthService on the store; its refusals become CLI errors. */
async function withOAuth<T>(
  command: Command,
  work: (oauth: OAuthService, settings: Settings, store: Store) => Promise<T>,
): Promise<T> {
  return withDirectory(command, async (_directory, store, settings) => {
    const oauth = new OAuthService(store, {
      accessTokenTtlSeconds: settings.accessTokenTtlSeconds,
      refreshTokenTtlSeconds: settings.refreshTokenTtlSeconds,
    });
    try {
      return await work(oauth, settings, store);
    } catch (error) {
      if (error instanceof OAuthAdminError) throw new CliError(error.message);
      throw error;
    }
  });
}

function scopeList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function registerOAuthCommands(program: Command): void {
  const app = program.command('app').description('OAuth applications (client_id and client_secret)');
  app
    .command('create')
    .description(
      'register an application; prints {"client_id", "client_secret", "application_token"} (the secret is shown only once; the token, which every event carries, also by app list)',
    )
    .requiredOption('--name <name>', 'the application name')
    .requiredOption('--scope <scopes>', 'comma-separated scopes, e.g. imopenlines,imconnector')
    .option('--redirect-uri <url>', 'where the application receives authorization codes')
    .option('--strict', 'calls with this application’s tokens use strict validation')
    .action(async (o, command: Command) => {
      const created = await withOAuth(command, (oauth) =>
        oauth.createApp({
          name: o.name,
          scopes: scopeList(o.scope),
          redirectUri: o.redirectUri ?? '',
          strict: o.strict === true,
        }),
      );
      printJson({
        client_id: created.clientId,
        client_secret: created.clientSecret,
        application_token: created.applicationToken,
      });
    });
  app
    .command('list')
    .description('list applications with their application_token (secrets are stored hashed and cannot be shown)')
    .action(async (_o, command: Command) => {
      await withOAuth(command, async (oauth) => {
        process.stdout.write('CLIENT_ID\tNAME\tSCOPES\tSTRICT\tREDIRECT_URI\tCREATED\tAPPLICATION_TOKEN\n');
        for (const a of await oauth.listApps()) {
          process.stdout.write(
            `${a.clientId}\t${a.name}\t${a.scopes.join(',')}\t${a.strict ? 'Y' : 'N'}\t${a.redirectUri || '-'}\t${a.createdAt}\t${a.applicationToken}\n`,
          );
        }
      });
    });
  app
    .command('remove')
    .description('remove an application: its tokens stop working at once (401 NO_AUTH_FOUND)')
    .argument('<client_id>', 'the application’s client_id')
    .action(async (clientId: string, _o, command: Command) => {
      await withOAuth(command, (oauth) => oauth.removeApp(clientId));
      process.stdout.write(`Application ${clientId} removed\n`);
    });

  const token = program.command('token').description('OAuth tokens and authorization codes');
  token
    .command('issue')
    .description('issue an access and refresh token for an application and a user; prints the token JSON')
    .requiredOption('--app <client_id>', 'the application’s client_id')
    .requiredOption('--user <id>', 'the user the calls run as', positiveInt('--user'))
    .option('--scope <scopes>', 'a subset of the application’s scopes (default: all of them)')
    .action(async (o, command: Command) => {
      const answer = await withOAuth(command, async (oauth, settings) => {
        const issued = await oauth.issueToken(o.app, o.user, o.scope);
        const base = baseUrl(settings, 'http');
        return presentToken(issued, { base, domain: base.replace(/^https?:\/\//, '') });
      });
      printJson(answer);
    });
  token
    .command('code')
    .description('issue a 30-second authorization code, exchanged at /oauth/token/ with grant_type=authorization_code')
    .requiredOption('--app <client_id>', 'the application’s client_id')
    .requiredOption('--user <id>', 'the user who authorises the application', positiveInt('--user'))
    .option('--scope <scopes>', 'a subset of the application’s scopes (default: all of them)')
    .action(async (o, command: Command) => {
      const issued = await withOAuth(command, (oauth) => oauth.issueCode(o.app, o.user, o.scope));
      printJson({ code: issued.code, expires_in: issued.expiresIn });
    });
}
