// `openlines <command>`: the operators' command line. Every command reads the same settings as the server
// (OPENLINES_DATA / --data, DATABASE_URL / --database).

import { Command, CommanderError } from 'commander';
import { registerDirectoryCommands } from './commands/directory.js';
import { registerEventsCommand } from './commands/events.js';
import { registerHistoryCommand } from './commands/history.js';
import { registerLinesAsCodeCommands } from './commands/lines-as-code.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerOAuthCommands } from './commands/oauth.js';
import { registerRoleCommands } from './commands/roles.js';
import { registerServeCommand } from './commands/serve.js';
import { registerWebhookCommands } from './commands/webhooks.js';
import { CliError } from './output.js';

export function buildProgram(): Command {
  const program = new Command('openlines')
    .description('A self-hosted server for the Bitrix24 Open Lines REST API')
    .option('--data <dir>', 'data folder (default: $OPENLINES_DATA or ./data)')
    .option('--database <url>', 'sqlite:<file> or postgres://… (default: $DATABASE_URL or SQLite in the data folder)')
    .showHelpAfterError()
    .exitOverride();
  registerServeCommand(program);
  registerMigrateCommand(program);
  registerDirectoryCommands(program);
  registerRoleCommands(program);
  registerWebhookCommands(program);
  registerOAuthCommands(program);
  registerLinesAsCodeCommands(program);
  registerHistoryCommand(program);
  registerEventsCommand(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliError) {
      process.stderr.write(`openlines: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`openlines: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && /cli[\\/]main\.[jt]s$/.test(process.argv[1]);
if (isMain) {
  runCli(process.argv.slice(2)).then((code) => {
    if (code !== 0) process.exitCode = code;
  });
}
