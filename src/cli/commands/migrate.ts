import type { Command } from 'commander';
import { describeStore, migrate, openStore } from '../../store/open-store.js';
import { settingsOf } from '../output.js';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending migrations to the store and print each one applied (`serve` does this too)')
    .action(async (_flags: unknown, command: Command) => {
      const settings = settingsOf(command);
      const store = await openStore(settings.databaseUrl, { migrate: false });
      try {
        // Safe while servers run or start on the same database: migrations take the store's migration lock.
        const applied = await migrate(store);
        const out = (line: string) => process.stdout.write(`${line}\n`);
        out(`Store: ${describeStore(settings.databaseUrl)}`);
        for (const name of applied) out(`applied ${name}`);
        out(applied.length === 0 ? 'nothing to apply: the store is up to date' : `${applied.length} applied`);
      } finally {
        await store.close();
      }
    });
}
