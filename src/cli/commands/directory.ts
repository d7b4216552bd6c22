import type { Command } from 'commander';
import { positiveInt, withDirectory } from '../output.js';

export function registerDirectoryCommands(program: Command): void {
  const user = program.command('user').description('portal users (operators)');
  user
    .command('add')
    .description('add a user; prints the new id')
    .requiredOption('--name <name>', 'display name')
    .option('--last-name <name>', 'last name')
    .option('--position <title>', 'work position')
    .option('--admin', 'a portal administrator')
    .option(
      '--department <id>',
      'department id (repeatable)',
      (v: string, acc: number[]) => [...acc, positiveInt('--department')(v)],
      [],
    )
    .option('--inactive', 'an inactive (fired) user')
    .option('--online', 'shown as online')
    .action(async (o, command: Command) => {
      const id = await withDirectory(command, (d) =>
        d.addUser({
          name: o.name,
          lastName: o.lastName,
          workPosition: o.position,
          admin: o.admin === true,
          active: o.inactive !== true,
          online: o.online === true,
          departmentIds: o.department,
        }),
      );
      process.stdout.write(`${id}\n`);
    });
  user
    .command('list')
    .description('list users')
    .action(async (_o, command: Command) => {
      await withDirectory(command, async (_d, store) => {
        const { listUsers } = await import('../../store/directory-repository.js');
        for (const u of await listUsers(store.db)) {
          const flags = [u.is_admin ? 'admin' : '', u.active ? '' : 'inactive', u.is_online ? 'online' : ''].filter(
            Boolean,
          );
          process.stdout.write(`${u.id}\t${[u.name, u.last_name].filter(Boolean).join(' ')}\t${flags.join(',')}\n`);
        }
      });
    });

  const department = program.command('department').description('portal departments');
  department
    .command('add')
    .description('add a department; prints the new id')
    .requiredOption('--name <name>', 'department name')
    .option('--parent <id>', 'parent department id', positiveInt('--parent'))
    .action(async (o, command: Command) => {
      const id = await withDirectory(command, (d) => d.addDepartment(o.name, o.parent ?? null));
      process.stdout.write(`${id}\n`);
    });
}
