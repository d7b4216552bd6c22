// `openlines role create|list|grant` and `openlines user set-role`: roles with LINES VIEW/MODIFY levels
// (reference-behaviour.md §1.7). A user's level is the highest over the held roles and the user's own level
// (`openlines user permission`); with neither, the MANAGER role's.

import type { Command } from 'commander';
import {
  DEFAULT_ROLE_NAME,
  isPermissionLevel,
  type LinePermissions,
  linePermissionsOf,
  PERMISSION_LEVELS,
  type PermissionLevel,
} from '../../domain/access/permissions.js';
import { createRole, grantRole, listRolesWithHolders, type Role, setUserRoles } from '../../domain/access/roles.js';
import { findUser } from '../../store/directory-repository.js';
import { CliError, positiveInt, withDirectory } from '../output.js';

const LEVELS = PERMISSION_LEVELS.join(' / ');

function permissionLevel(flag: string): (value: string) => PermissionLevel {
  return (value: string) => {
    if (!isPermissionLevel(value)) throw new CliError(`${flag} must be one of ${PERMISSION_LEVELS.join(', ')}`);
    return value;
  };
}

function levelsLine(role: Role): string {
  return `${role.id}\t${role.name}\t${role.lines.VIEW}\t${role.lines.MODIFY}`;
}

/** Finds the `user` command group (directory.ts) so that set-role sits next to `user add` and `user permission`. */
function userCommand(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'user') ?? program.command('user').description('portal users (operators)')
  );
}

export function registerRoleCommands(program: Command): void {
  const role = program
    .command('role')
    .description(
      `roles: what their holders may do with open lines (LINES VIEW and MODIFY, each ${LEVELS}). A user's level ` +
        `is the highest over the user's roles and own level (user permission); a user with neither has the ` +
        `${DEFAULT_ROLE_NAME} role's levels; administrators always have any`,
    );

  role
    .command('create')
    .description('create a role; prints its id')
    .option('--name <name>', 'role name, unique in any letter case (required)')
    .option('--view <level>', `level for VIEW: ${LEVELS} (required)`, permissionLevel('--view'))
    .option('--modify <level>', `level for MODIFY: ${LEVELS} (required)`, permissionLevel('--modify'))
    .action(async (o: { name?: string; view?: PermissionLevel; modify?: PermissionLevel }, command: Command) => {
      const missing = (['--name', '--view', '--modify'] as const).filter(
        (flag) => o[flag.slice(2) as 'name' | 'view' | 'modify'] === undefined,
      );
      if (missing.length > 0) throw new CliError(`role create needs ${missing.join(', ')}`);
      const created = await withDirectory(command, (_d, store) =>
        store.write((trx) => createRole(trx, o.name!, { VIEW: o.view!, MODIFY: o.modify! })),
      );
      process.stdout.write(`${created.id}\n`);
    });

  role
    .command('list')
    .description('list the roles: id, name, VIEW and MODIFY levels, number of users holding it')
    .action(async (_o, command: Command) => {
      const roles = await withDirectory(command, (_d, store) => store.read(listRolesWithHolders));
      process.stdout.write('ID\tNAME\tVIEW\tMODIFY\tUSERS\n');
      for (const r of roles) process.stdout.write(`${levelsLine(r)}\t${r.holders}\n`);
    });

  role
    .command('grant')
    .description("change a role's levels (the one not given stays); its holders have them at their next call")
    .option('--role <id|name>', 'the role (required)')
    .option('--view <level>', `level for VIEW: ${LEVELS}`, permissionLevel('--view'))
    .option('--modify <level>', `level for MODIFY: ${LEVELS}`, permissionLevel('--modify'))
    .action(async (o: { role?: string; view?: PermissionLevel; modify?: PermissionLevel }, command: Command) => {
      if (o.role === undefined) throw new CliError('role grant needs --role');
      if (o.view === undefined && o.modify === undefined) throw new CliError('role grant needs --view or --modify');
      const changes: Partial<LinePermissions> = {
        ...(o.view ? { VIEW: o.view } : {}),
        ...(o.modify ? { MODIFY: o.modify } : {}),
      };
      const granted = await withDirectory(command, (_d, store) =>
        store.write((trx) => grantRole(trx, o.role!, changes)),
      );
      process.stdout.write(`${levelsLine(granted)}\n`);
    });

  userCommand(program)
    .command('set-role')
    .description("replace a user's roles; prints the roles held and the levels the user now has (roles and own level)")
    .option('--user <id>', 'user id (required)', positiveInt('--user'))
    .option(
      '--role <id|name>',
      'a role (repeatable: the user holds every one given)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--none', 'the user holds no role')
    .action(async (o: { user?: number; role: string[]; none?: boolean }, command: Command) => {
      if (o.user === undefined) throw new CliError('user set-role needs --user');
      if (o.none && o.role.length > 0) throw new CliError('user set-role takes --role or --none, not both');
      if (!o.none && o.role.length === 0) throw new CliError('user set-role needs --role (or --none to clear)');
      const userId = o.user;
      const { held, levels, isAdmin } = await withDirectory(command, async (_d, store) => {
        const user = await store.read((db) => findUser(db, userId));
        if (!user) throw new CliError(`user ${userId} does not exist`);
        const held = await store.write((trx) => setUserRoles(trx, userId, o.none ? [] : o.role));
        return { held, levels: await store.read((db) => linePermissionsOf(db, userId)), isAdmin: user.is_admin === 1 };
      });
      if (isAdmin) process.stderr.write('note: this user is an administrator and always has any\n');
      process.stdout.write(
        `ROLES\t${held.map((r) => r.name).join(',')}\nVIEW\t${levels.VIEW}\nMODIFY\t${levels.MODIFY}\n`,
      );
    });
}
