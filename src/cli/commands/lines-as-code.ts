// `openlines export` and `openlines apply`: the lines' configuration as a file (src/domain/lines-as-code).

import { readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { Caller } from '../../domain/caller.js';
import { ConnectorService } from '../../domain/connectors/connector-service.js';
import { EventService } from '../../domain/events/event-service.js';
import { LineService } from '../../domain/lines/line-service.js';
import { type FileFormat, LinesFileError, parseLinesFile } from '../../domain/lines-as-code/lines-file.js';
import { applyPlan, computePlan, exportLines, formatPlan } from '../../domain/lines-as-code/plan.js';
import { findUser } from '../../store/directory-repository.js';
import type { Store } from '../../store/store.js';
import { CliError, positiveInt, withDirectory } from '../output.js';
import { progressBar } from '../progress.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The CLI acts for a user of the portal, with administrator rights; the history names the OS user too. */
async function cliCaller(store: Store, userId: number): Promise<Caller> {
  const user = await store.read((db) => findUser(db, userId));
  if (!user?.active) throw new CliError(`--user: user ${userId} does not exist or is inactive`);
  let osUser = 'unknown';
  try {
    osUser = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep 'unknown'.
  }
  return {
    userId,
    isAdmin: true,
    authKind: 'cli',
    credentialId: `cli:${osUser}`,
    scopes: new Set(['imopenlines']),
    strict: true,
  };
}

export function registerLinesAsCodeCommands(program: Command): void {
  program
    .command('export')
    .description('write every line (fields that differ from their defaults, and the queue) as YAML or JSON')
    .option('--format <format>', 'yaml or json', 'yaml')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (o: { format: string; output?: string }, command: Command) => {
      if (o.format !== 'yaml' && o.format !== 'json')
        throw new CliError(`--format must be yaml or json, got '${o.format}'`);
      const text = await withDirectory(command, (_d, store, settings) =>
        exportLines(store, o.format as FileFormat, { companyName: settings.portalName }),
      );
      if (o.output) await writeFile(o.output, text);
      else process.stdout.write(text);
    });

  program
    .command('apply')
    .description('make the lines match a file: prints the field-level plan, then applies it in one transaction')
    .requiredOption('-f, --file <file>', 'the lines file (YAML or JSON; - reads stdin)')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--prune', 'delete lines that the file does not list')
    .option('--user <id>', 'the user the changes are made as (recorded in the history)', positiveInt('--user'), 1)
    .action(async (o: { file: string; dryRun?: boolean; prune?: boolean; user: number }, command: Command) => {
      const fileName = o.file === '-' ? '<stdin>' : o.file;
      let text: string;
      try {
        text = o.file === '-' ? await readStdin() : await readFile(o.file, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read ${fileName}: ${(error as Error).message}`);
      }
      await withDirectory(command, async (_d, store, settings) => {
        const ctx = { companyName: settings.portalName };
        try {
          const entries = parseLinesFile(text, fileName, ctx);
          const caller = await cliCaller(store, o.user);
          const checking = progressBar('checking');
          const plan = await computePlan(store, entries, {
            ...ctx,
            fileName,
            prune: o.prune === true,
            userId: caller.userId,
            onProgress: (done, total) => checking.update(done, total),
          });
          process.stdout.write(formatPlan(plan, fileName));
          if (o.dryRun) {
            if (plan.items.length) process.stdout.write('Dry run: nothing was changed.\n');
            return;
          }
          if (plan.items.length === 0) return;
          const applying = progressBar('applying');
          // As config.add/update/delete do: OnOpenlinesLineConfigChange (and a pruned line's connector and line
          // events) are queued in the apply's transaction; a server on the same store delivers them.
          const events = new EventService(store);
          const lines = new LineService(store, { ...ctx, events });
          lines.onLineDeleted(new ConnectorService(store, { events }).lineDeleted);
          const done = await applyPlan(store, lines, caller, plan, {
            fileName,
            companyName: ctx.companyName,
            onProgress: (n, total) => applying.update(n, total),
          });
          process.stdout.write(
            `Applied: ${done.created.length} created${done.created.length ? ` (${done.created.join(', ')})` : ''}, ${done.updated.length} updated, ${done.deleted.length} deleted.\n`,
          );
        } catch (error) {
          if (error instanceof LinesFileError) throw new CliError(`${fileName} is not valid:\n${error.message}`);
          throw error;
        }
      });
    });
}
