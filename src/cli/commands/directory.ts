import type { Command } from 'commander';
import { systemClock } from '../../clock.js';
import {
  clearLinePermissions,
  DEFAULT_LINE_PERMISSIONS,
  isPermissionLevel,
  type LinePermissions,
  PERMISSION_LEVELS,
  type PermissionLevel,
  setLinePermissions,
} from '../../domain/access/permissions.js';
import { PresenceService, UnknownOperatorError } from '../../domain/operators/presence-service.js';
import { PRESENCE_STATUSES, presentPresence } from '../../methods/openlines-presence.js';
import { findUser } from '../../store/directory-repository.js';
import { CliError, positiveInt, withDirectory } from '../output.js';

function permissionLevel(flag: string): (value: string) => PermissionLevel {
  return (value: string) => {
    if (!isPermissionLevel(value)) throw new CliError(`${flag} must be one of ${PERMISSION_LEVELS.join(', ')}`);
    return value;
  };
}

export function registerDirectoryCommands(program: Command): void {
  const user = program.command('user').description('portal users (operators)');
  user
    .command('add')
    .description('add a user; prints the new id')
    .requiredOption('--name <name>', 'display name')
    .option('--last-name <name>', 'last name')
    .option('--position <title>', 'work position')
    .option('--avatar <url>', 'avatar URL')
    .option('--admin', 'a portal administrator')
    .option(
      '--department <id>',
      'department id (repeatable)',
      (v: string, acc: number[]) => [...acc, positiveInt('--department')(v)],
      [],
    )
    .option('--inactive', 'an inactive (fired) user')
    .option('--online', 'shown as online, and online for distribution (`user presence` changes it)')
    .action(async (o, command: Command) => {
      const id = await withDirectory(command, (d) =>
        d.addUser({
          name: o.name,
          lastName: o.lastName,
          workPosition: o.position,
          avatar: o.avatar,
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
        for (const u of await store.read(listUsers)) {
          const flags = [u.is_admin ? 'admin' : '', u.active ? '' : 'inactive', u.is_online ? 'online' : ''].filter(
            Boolean,
          );
          process.stdout.write(`${u.id}\t${[u.name, u.last_name].filter(Boolean).join(' ')}\t${flags.join(',')}\n`);
        }
      });
    });

  user
    .command('permission')
    .description(
      `show or set what a user may do with open lines: LINES VIEW and MODIFY, each ${PERMISSION_LEVELS.join(' / ')} ` +
        `(self: lines the user operates or last changed; department: also a colleague's). A new user has ` +
        `view ${DEFAULT_LINE_PERMISSIONS.VIEW}, modify ${DEFAULT_LINE_PERMISSIONS.MODIFY} (the MANAGER role's levels); ` +
        `the user's own level adds to the user's roles (the higher wins, see role); administrators always have any`,
    )
    .requiredOption('--user <id>', 'user id', positiveInt('--user'))
    .option('--view <level>', 'level for VIEW (config.list.get with CHECK_PERMISSION=VIEW)', permissionLevel('--view'))
    .option('--modify <level>', 'level for MODIFY (config.update, config.delete)', permissionLevel('--modify'))
    .option('--clear', "remove the user's own levels (the roles decide alone)")
    .action(async (o, command: Command) => {
      if (o.clear && (o.view || o.modify))
        throw new CliError('user permission takes --clear or --view/--modify, not both');
      const { levels, isAdmin } = await withDirectory(command, async (_d, store) => {
        const user = await store.read((db) => findUser(db, o.user));
        if (!user) throw new CliError(`user ${o.user} does not exist`);
        const changes: Partial<LinePermissions> = {
          ...(o.view ? { VIEW: o.view } : {}),
          ...(o.modify ? { MODIFY: o.modify } : {}),
        };
        const levels = await store.write((trx) =>
          o.clear ? clearLinePermissions(trx, o.user) : setLinePermissions(trx, o.user, changes),
        );
        return { levels, isAdmin: user.is_admin === 1 };
      });
      if (isAdmin) process.stderr.write('note: this user is an administrator and always has any\n');
      process.stdout.write(`VIEW\t${levels.VIEW}\nMODIFY\t${levels.MODIFY}\n`);
    });

  user
    .command('presence')
    .description(
      "show or set a user's presence and print the availability that results on a line with CHECK_AVAILABLE=Y: " +
        'an explicit status (online, offline; auto: online while the last REST call is under 1 440 s old) and ' +
        'absence. The same as openlines.user.presence.set; a running server reads it at its next distribution',
    )
    .requiredOption('--user <id>', 'user id', positiveInt('--user'))
    .argument('[status]', PRESENCE_STATUSES.join(' | '))
    .option('--absent <Y|N>', 'on leave (Y) or back (N)')
    .action(async (status: string | undefined, o: { user: number; absent?: string }, command: Command) => {
      if (status !== undefined && !(PRESENCE_STATUSES as readonly string[]).includes(status))
        throw new CliError(`status must be one of ${PRESENCE_STATUSES.join(', ')}, got '${status}'`);
      const absent = o.absent?.toUpperCase();
      if (absent !== undefined && absent !== 'Y' && absent !== 'N')
        throw new CliError(`--absent must be Y or N, got '${o.absent}'`);
      const shown = await withDirectory(command, async (_d, store, settings) => {
        const presence = new PresenceService(store, { clock: systemClock });
        try {
          const view =
            status === undefined && absent === undefined
              ? await presence.view(o.user)
              : await presence.setPresence(o.user, {
                  ...(status !== undefined
                    ? { status: status === 'auto' ? null : (status as 'online' | 'offline') }
                    : {}),
                  ...(absent !== undefined ? { absent: absent === 'Y' } : {}),
                });
          return presentPresence(view, settings.timeZone);
        } catch (error) {
          if (error instanceof UnknownOperatorError) throw new CliError(`user ${o.user} does not exist`);
          throw error;
        }
      });
      for (const [key, value] of Object.entries(shown)) {
        if (key !== 'USER_ID') process.stdout.write(`${key}\t${value ?? '-'}\n`);
      }
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
